package main

import (
	"context"

	"github.com/etcdeck/etcdeck/tui"
)

// runUI runs the console on the session until the user quits.
func runUI(s *session) error {
	cfg := tui.Config{
		Client:             s.client,
		Conn:               s.opts.Conn,
		EndpointLabel:      s.label,
		ReadOnly:           s.opts.ReadOnly,
		KeyOverrides:       s.opts.Keys,
		Log:                s.log,
		LogPath:            s.logPath,
		NoColor:            s.opts.NoColor,
		WatchBufferSize:    s.opts.WatchBufferSize,
		BackupDir:          s.opts.BackupDir,
		Sep:                s.opts.Sep,
		HealthPollInterval: s.opts.HealthPollInterval,
	}
	if s.member != nil {
		cfg.Member = s.member
	}
	return tui.Run(context.Background(), cfg)
}
