package embednode_test

import (
	"bytes"
	"testing"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"google.golang.org/protobuf/proto"

	"github.com/etcdeck/etcdeck/embednode"
)

// FuzzKVKeyLease: the short reader of an encoded KeyValue finds the key and lease the official
// decoder finds, whatever the fields hold, and never panics on bytes that are no KeyValue.
func FuzzKVKeyLease(f *testing.F) {
	f.Add([]byte("/registry/pods/a"), []byte("value"), int64(7), int64(0x694d8a0f1e2c3b4a), []byte{0x0a, 0xff})
	f.Add([]byte{}, []byte{}, int64(1), int64(0), []byte{})
	f.Add([]byte("k\x00\xff"), bytes.Repeat([]byte("v"), 1<<16), int64(1)<<62, int64(-1), []byte{0x32, 0x80})
	f.Fuzz(func(t *testing.T, key, value []byte, rev, lease int64, junk []byte) {
		b, err := proto.Marshal(&mvccpb.KeyValue{Key: key, Value: value, CreateRevision: rev, ModRevision: rev, Version: 3, Lease: lease})
		if err != nil {
			t.Skip()
		}
		k, l, err := embednode.KVKeyLease(b)
		if err != nil || !bytes.Equal(k, key) || l != lease {
			t.Fatalf("got %q, %d, %v; want %q, %d", k, l, err, key, lease)
		}
		embednode.KVKeyLease(junk) // an error or not, no panic
	})
}

func TestGroupOf(t *testing.T) {
	for _, c := range []struct {
		key, prefix string
		depth       int
		want        string
		ok          bool
	}{
		{"/registry/pods/default/a", "", 1, "/registry/", true},
		{"/registry/pods/default/a", "", 2, "/registry/pods/", true},
		{"/registry/pods/default/a", "/registry/", 1, "/registry/pods/", true},
		{"/registry/pods/default/a", "/registry", 1, "/registry/pods/", true},
		{"/registry/pods/default/a", "/registry/", 9, "/registry/pods/default/a", true},
		{"/registry/pods", "/registry/", 1, "/registry/pods", true},
		{"/other/x", "/registry/", 1, "", false},
		{"top", "", 1, "top", true},
	} {
		got, ok := embednode.GroupOf([]byte(c.key), c.prefix, '/', c.depth)
		if ok != c.ok || string(got) != c.want {
			t.Errorf("groupOf(%q, %q, %d) = %q, %v; want %q, %v", c.key, c.prefix, c.depth, got, ok, c.want, c.ok)
		}
	}
}
