package cluster_test

import (
	"os"
	"sync"
	"testing"

	"github.com/etcdeck/etcdeck/embednode/nodetest"
)

// The etcdeck binary is built only by the tests that spawn members in child processes, once.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func etcdeckBinary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "etcdeck-cluster-test"); binErr == nil {
			binPath, binErr = nodetest.BuildEtcdeck(binDir)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}
