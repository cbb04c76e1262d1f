# One image for the three apps of the lab (sessions, jwtapp, hybrid) and the
# healthcheck binary. docker-compose.yml runs every system from it.

FROM golang:1.26 AS build
WORKDIR /src
# Download modules in their own layer, so a source change does not fetch
# them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Static binaries (no cgo), so the runtime image needs no libc.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/bin/ \
        ./sessions ./jwtapp ./hybrid ./deploy/healthcheck \
    && mkdir -p /out/keys

# distroless static: CA certificates and tzdata, no shell, non-root user
# 65532. The tag is not pinned to a digest here.
# TODO: pin a digest once the image can be pulled where this is built.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bin/ /usr/local/bin/
# A new named volume mounted at /keys copies this folder's owner, so the
# keygen service, running as nonroot, can write the key there.
COPY --from=build --chown=65532:65532 /out/keys /keys
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=2s --timeout=3s --start-period=5s --retries=3 CMD ["/usr/local/bin/healthcheck"]
ENTRYPOINT []
