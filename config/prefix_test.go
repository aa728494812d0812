package config_test

import (
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
