package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/authlab/authlab/internal/lab"
	"github.com/authlab/authlab/internal/report"
	"github.com/authlab/authlab/internal/scenario"
	"github.com/authlab/authlab/internal/server"
)

// loadTest starts or connects to the lab, runs the plan and writes the
// report. An interrupted run still writes what it measured, marked partial.
func loadTest(ctx context.Context, opts options, getenv func(string) string, stdout, stderr io.Writer) error {
	if err := os.MkdirAll(opts.out, 0o755); err != nil {
		return fmt.Errorf("create report folder: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	plan := opts.plan

	target, closeLog, err := openTarget(ctx, opts, plan, getenv, logger)
	if err != nil {
		return err
	}
	defer closeLog()
	defer func() {
		if err := target.Close(); err != nil {
			logger.Warn("stop the lab", "err", err)
		}
	}()
	if err := readSettings(ctx, &plan, target, stdout); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "authlab: %d scenarios on %d systems (%s lab, Redis: %s); the load phases take about %v\n",
		len(plan.Scenarios), len(plan.Systems), target.Mode(), target.Redis().Kind, plan.Estimate().Round(time.Second))
	runner := &scenario.Runner{
		Target: target, Plan: plan, Logger: logger, Progress: stdout,
		Password: cmpOr(getenv("USER_PASSWORD"), server.DefaultPassword),
	}
	run := runner.Run(ctx)
	if err := report.WriteAll(opts.out, run); err != nil {
		return err
	}
	if err := report.Summary(stdout, run, opts.out); err != nil {
		return err
	}
	if run.Partial {
		return fmt.Errorf("interrupted: the partial report is in %s", opts.out)
	}
	return nil
}

// openTarget starts the embedded lab, or checks that the compose stack
// responds. The returned func closes the lab's log file.
func openTarget(ctx context.Context, opts options, plan scenario.Plan, getenv func(string) string, logger *slog.Logger) (lab.Target, func(), error) {
	if opts.target == lab.ModeCompose {
		t, err := lab.Compose(ctx, lab.ComposeOptions{Getenv: getenv, Logger: logger})
		return t, func() {}, err
	}
	logPath := filepath.Join(opts.out, "lab.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, nil, fmt.Errorf("create the lab log: %w", err)
	}
	l, err := lab.Start(ctx, lab.Options{
		Replicas:  plan.Replicas,
		Ports:     lab.FixedPorts(),
		Getenv:    getenv,
		SystemEnv: systemEnv(plan, getenv),
		Logger:    logger,
		AppLog:    logFile,
	})
	if err != nil {
		logFile.Close()
		return nil, nil, fmt.Errorf("start the embedded lab: %w", err)
	}
	return l, func() { logFile.Close() }, nil
}

// serve starts the embedded lab on the fixed ports and keeps it running
// until ctx ends.
func serve(ctx context.Context, opts options, getenv func(string) string, stdout, stderr io.Writer) error {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return lab.Serve(ctx, lab.Options{
		Replicas: opts.plan.Replicas,
		Ports:    lab.FixedPorts(),
		Getenv:   getenv,
		Logger:   logger,
		AppLog:   stderr,
	}, stdout)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
