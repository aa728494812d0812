// Package clustertest helps tests connect etcdeck's client to the members embednode/nodetest
// starts.
package clustertest

import (
	"context"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster"
)

// Connect connects a client with conf (dial and command timeouts filled in when unset) and closes
// it when the test ends.
func Connect(t testing.TB, conf cluster.ConnConfig) (*cluster.Client, error) {
	t.Helper()
	if conf.DialTimeout == 0 {
		conf.DialTimeout = 2 * time.Second
	}
	if conf.CommandTimeout == 0 {
		conf.CommandTimeout = 3 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := cluster.Connect(ctx, conf, nil)
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}
