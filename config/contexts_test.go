package config_test

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/etcdeck/etcdeck/config"
)

// TestPrefix: where the Keys view starts — the config's prefix, a context's wins over it, and
// --prefix over both.
func TestPrefix(t *testing.T) {
	cfg := writeConfig(t, "prefix: /global/\ncontexts:\n  app:\n    endpoints: [a:2379]\n    prefix: /app/\n  plain:\n    endpoints: [b:2379]\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--config", cfg}, "/global/"},
		{[]string{"--config", cfg, "--context", "plain"}, "/global/"},
		{[]string{"--config", cfg, "--context", "app"}, "/app/"},
		{[]string{"--config", cfg, "--context", "app", "--prefix", "/app/w/"}, "/app/w/"},
	} {
		t.Setenv("XDG_CONFIG_HOME", t.TempDir())
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		f := config.RegisterFlags(fs)
		f.EmbedFlags()
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		s, err := f.Resolve(func(string) string { return "" })
		if err != nil || s.Prefix != tc.want {
			t.Errorf("%v: prefix %q, %v; want %q", tc.args, s.Prefix, err, tc.want)
		}
	}
}

// TestContextsForCtx: :ctx's contexts — listed by name with the embedded member last, never a
// password; password-file and password-env fill the password; a plain one is a warning naming
// the file; a context's read-only holds whatever the flags say; an unknown name lists the others.
func TestContextsForCtx(t *testing.T) {
	pwFile := writeConfig(t, "s3cret-file\n")
	cfg := writeConfig(t, "contexts:\n  a:\n    endpoints: [a:2379]\n    user: u\n    password-file: "+pwFile+
		"\n  b:\n    endpoints: [b:2379]\n    user: v\n    password-env: B_PW\n    read-only: true\n    prefix: /b/\n  c:\n    endpoints: [c:2379]\n    user: w\n    password: plain\n")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	f := config.RegisterFlags(fs)
	f.EmbedFlags()
	if err := fs.Parse([]string{"--config", cfg, "--context", "b", "--read-only=false"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"B_PW": "s3cret-env"}
	s, err := f.Resolve(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if !s.ReadOnly || s.Conn.Password != "s3cret-env" || s.Prefix != "/b/" {
		t.Fatalf("--context b: read-only %t, password %q, prefix %q", s.ReadOnly, s.Conn.Password, s.Prefix)
	}
	list := s.ContextList()
	if len(list) != 4 || list[0].Name != "a" || list[1].Name != "b" || !list[1].ReadOnly || list[3].Name != config.EmbeddedContext {
		t.Fatalf("ContextList = %+v", list)
	}
	a, err := s.ForContext("a")
	if err != nil || a.Conn.Password != "s3cret-file" || a.Conn.Endpoints[0] != "a:2379" || a.ReadOnly || a.Prefix != "" || a.Context != "a" {
		t.Fatalf("ForContext(a) = %+v, %v", a, err)
	}
	c, err := s.ForContext("c")
	if err != nil || c.Conn.Password != "plain" || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "context c in "+cfg+" holds a plain password") {
		t.Fatalf("ForContext(c) = %+v, %v", c.Warnings, err)
	}
	e, err := s.ForContext(config.EmbeddedContext)
	if err != nil || !e.Embedded || e.Context != "" || len(e.Conn.Endpoints) != 0 {
		t.Fatalf("ForContext(embedded) = %+v, %v", e, err)
	}
	if _, err := s.ForContext("nope"); err == nil || !strings.Contains(err.Error(), "the contexts are a, b, c, embedded") {
		t.Fatalf("ForContext(nope) = %v", err)
	}
	delete(env, "B_PW")
	if _, err := s.ForContext("b"); err == nil || !strings.Contains(err.Error(), "password-env B_PW is not set") {
		t.Fatalf("ForContext(b) without B_PW = %v", err)
	}
}
