package server

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics holds the Prometheus collectors of one replica. Each replica has
// its own registry, so several replicas can run in one process.
type Metrics struct {
	Registry *prometheus.Registry

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	rejected *prometheus.CounterVec
}

func newMetrics(cfg Config) *Metrics {
	labels := prometheus.Labels{"system": cfg.System, "replica": cfg.ReplicaID}
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authlab_http_requests_total", Help: "HTTP requests by route and status.", ConstLabels: labels,
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "authlab_http_request_duration_seconds", Help: "Time to serve a request, by route.",
			ConstLabels: labels, Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"route"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authlab_auth_rejected_total", Help: "Rejected credentials by reason.", ConstLabels: labels,
		}, []string{"reason"}),
	}
	m.Registry.MustRegister(m.requests, m.duration, m.rejected)
	registerRuntime(m.Registry)
	return m
}

func (m *Metrics) observe(route string, status int, elapsed time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(elapsed.Seconds())
}

// Rejected counts a rejected credential. Reasons are a small fixed set such
// as "expired", "revoked" or "bad_signature", never a token or a user.
func (m *Metrics) Rejected(reason string) {
	m.rejected.WithLabelValues(reason).Inc()
}
