package keys

import (
	"context"
	"testing"
)

// TestKeysOutsideSlash: at "/" the list's last line says how many keys do not start with "/"
// (only the root lists them, and nothing said so); h lists them; a keyspace without any shows no
// such line; a key written outside "/" is counted at the next listing (r).
func TestKeysOutsideSlash(t *testing.T) {
	m, _ := testView(t, 80, 24) // the fixture holds "config" and "config/a"
	d := newDriver(t, m)
	d.Run(m.Init())
	d.until("the note", d.contains("…  2 keys outside / · h/⌫ lists them"))
	d.Press("h")
	d.until("the root", d.contains("config"))
	if d.contains("outside /")() {
		t.Fatalf("the note shows at the root, which lists those keys:\n%s", d.screen())
	}

	f := newEditFixture(t, 80, 24, false) // every key under "/"
	f.d.Run(f.m.Init())
	f.d.until("the listing", f.d.contains("app/"))
	if f.d.contains("outside /")() {
		t.Fatalf("no key outside / but the note shows:\n%s", f.d.screen())
	}
	if _, err := f.etcd.Put(context.Background(), "zzz", "v"); err != nil {
		t.Fatal(err)
	}
	f.d.Press("r")
	f.d.until("the note after r", f.d.contains("…  1 key outside /"))
}
