package config

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zapgrpc"
	"google.golang.org/grpc/grpclog"
)

// LogPath is the console's log file: $XDG_STATE_HOME/etcdeck/etcdeck.log.
func LogPath() string { return filepath.Join(StateDir(), "etcdeck.log") }

// OpenLog opens (appending) the log file at path and returns a logger writing to it. gRPC's own
// logger is pointed there too: by default it writes to stderr, which would tear the UI; so are
// the logger's own write errors (see below).
func OpenLog(path string) (*zap.Logger, *os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("log dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("log file: %w", err)
	}
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	core := zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(f), zap.InfoLevel)
	// zap reports its own write errors (a full disk: "write error: no space left on device") on
	// stderr by default, which is the console's screen: they would print over the header every
	// time a line is logged. They go nowhere instead; the log file is best effort, the audit log
	// (which fails closed) is what must not lose a line.
	log := zap.New(core, zap.ErrorOutput(zapcore.AddSync(io.Discard)))
	grpclog.SetLoggerV2(zapgrpc.NewLogger(log.Named("grpc").WithOptions(zap.IncreaseLevel(zap.WarnLevel))))
	return log, f, nil
}
