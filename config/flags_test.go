package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/config"
)

const twoContexts = `default-context: dev
contexts:
  dev:
    endpoints: [dev:2379]
    user: devuser
    command-timeout: 9s
  prod:
    endpoints: [https://prod1:2379, https://prod2:2379]
    cacert: /etc/prod-ca.pem
read-only: true
watch-buffer-size: 500
watch-buffer-bytes: 64MiB
health-poll-interval: 10s
`

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func resolve(t *testing.T, args []string, env map[string]string) (config.Settings, error) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no user config leaks in
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	f := config.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f.Resolve(func(k string) string { return env[k] })
}

func TestPrecedence(t *testing.T) {
	cfg := writeConfig(t, twoContexts)
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		endpoints []string
		source    string
		user      string
		embedded  bool
	}{
		{name: "nothing: embedded member", args: nil, embedded: true, source: "embedded"},
		{name: "config default context", args: []string{"--config", cfg}, endpoints: []string{"dev:2379"}, source: "default context dev", user: "devuser"},
		{name: "--context replaces the default context whole", args: []string{"--config", cfg, "--context", "prod"}, endpoints: []string{"https://prod1:2379", "https://prod2:2379"}, source: "context prod", user: ""},
		{name: "endpoints from ETCDCTL_ get nothing of the default context", args: []string{"--config", cfg}, env: map[string]string{"ETCDCTL_ENDPOINTS": "other:2379"}, endpoints: []string{"other:2379"}, source: "ETCDCTL_ENDPOINTS", user: ""},
		{name: "endpoints from flags get nothing of the default context", args: []string{"--config", cfg, "--endpoints", "other:2379"}, endpoints: []string{"other:2379"}, source: "--endpoints", user: ""},
		{name: "ETCDCTL_ beats --context", args: []string{"--config", cfg, "--context", "prod"}, env: map[string]string{"ETCDCTL_ENDPOINTS": "env1:2379,env2:2379", "ETCDCTL_USER": "envuser"}, endpoints: []string{"env1:2379", "env2:2379"}, source: "ETCDCTL_ENDPOINTS", user: "envuser"},
		{name: "flags beat ETCDCTL_", args: []string{"--config", cfg, "--endpoints=flag:2379", "--user", "flaguser"}, env: map[string]string{"ETCDCTL_ENDPOINTS": "env:2379", "ETCDCTL_USER": "envuser"}, endpoints: []string{"flag:2379"}, source: "--endpoints", user: "flaguser"},
		{name: "env alone", env: map[string]string{"ETCDCTL_ENDPOINTS": "https://127.0.0.1:2379"}, endpoints: []string{"https://127.0.0.1:2379"}, source: "ETCDCTL_ENDPOINTS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := resolve(t, tt.args, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(o.Conn.Endpoints, tt.endpoints) || o.Source != tt.source || o.Conn.User != tt.user || o.Embedded != tt.embedded {
				t.Fatalf("got endpoints=%v source=%q user=%q embedded=%v", o.Conn.Endpoints, o.Source, o.Conn.User, o.Embedded)
			}
		})
	}
}

func TestResolveSettings(t *testing.T) {
	cfg := writeConfig(t, twoContexts)
	o, err := resolve(t, []string{"--config", cfg, "--dial-timeout=3s"}, map[string]string{"ETCDCTL_COMMAND_TIMEOUT": "7s"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Conn.DialTimeout != 3*time.Second || o.Conn.CommandTimeout != 7*time.Second {
		t.Fatalf("timeouts %v %v", o.Conn.DialTimeout, o.Conn.CommandTimeout)
	}
	if !o.ReadOnly || o.WatchBufferSize != 500 || o.WatchBufferBytes != 64<<20 || o.HealthPollInterval != 10*time.Second {
		t.Fatalf("globals: %+v", o)
	}
	o, err = resolve(t, []string{"--config", cfg, "--read-only=false", "--user", "root:pw"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.ReadOnly || o.Conn.User != "root" || o.Conn.Password != "pw" || o.Conn.NeedsPassword() {
		t.Fatalf("flags: read-only=%v user=%q needs=%v", o.ReadOnly, o.Conn.User, o.Conn.NeedsPassword())
	}
	o, err = resolve(t, []string{"--user", "root"}, nil)
	if err != nil || !o.Conn.NeedsPassword() {
		t.Fatalf("a user without password must be asked for one: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"syntax", "contexts:\n  dev:\n    endpoints: [a\n", ":2: did not find expected ',' or ']'"},
		{"unknown field", "backup-dir: /x\nwatch-bufer: 3\n", ":2: field watch-bufer not found"},
		{"bad duration", "health-poll-interval: soon\n", `:1: "soon" is not a duration`},
		{"unknown default context", "default-context: nope\n", `default-context "nope" is not one of the contexts`},
		{"long separator", "key-separator: ab\n", `key-separator: "ab" must be one byte`},
		{"keep 0", "snapshot-keep: 0\n", "snapshot-keep must be at least 1"},
		{"negative keep-days", "snapshot-keep-days: -1\n", "snapshot-keep-days must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.body)
			_, err := resolve(t, []string{"--config", path}, nil)
			if err == nil || !strings.HasPrefix(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %s...%s", err, path, tt.want)
			}
		})
	}
	if _, err := resolve(t, []string{"--context", "x"}, nil); err == nil || !strings.Contains(err.Error(), `--context "x": no such context`) {
		t.Fatalf("unknown --context: %v", err)
	}
	if _, err := resolve(t, []string{"--config", "/nonexistent/etcdeck.yaml"}, nil); err == nil {
		t.Fatal("an explicit --config that does not exist must fail")
	}
}

func TestRetentionSettings(t *testing.T) {
	o, err := resolve(t, nil, nil)
	if err != nil || o.Retention != backup.DefaultRetention() {
		t.Fatalf("default retention %+v (%v), want %+v", o.Retention, err, backup.DefaultRetention())
	}
	o, err = resolve(t, []string{"--config", writeConfig(t, "snapshot-keep: 3\nsnapshot-keep-days: 0\n")}, nil)
	if err != nil || o.Retention != (backup.Retention{Keep: 3, KeepDays: 0}) {
		t.Fatalf("config retention %+v (%v)", o.Retention, err)
	}
}

// TestNoColor: NO_COLOR is read through Resolve's getenv, set and not empty.
func TestNoColor(t *testing.T) {
	for v, want := range map[string]bool{"": false, "1": true, "0": true} {
		o, err := resolve(t, nil, map[string]string{"NO_COLOR": v})
		if err != nil || o.NoColor != want {
			t.Errorf("NO_COLOR=%q: NoColor=%v (%v), want %v", v, o.NoColor, err, want)
		}
	}
}

// TestEmbedFlags: only a flag set that asked for them has the member's flags.
func TestEmbedFlags(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	f := config.RegisterFlags(fs)
	f.EmbedFlags()
	if err := fs.Parse([]string{"--embed", "--name", "n1", "--endpoints", "x:2379"}); err != nil {
		t.Fatal(err)
	}
	o, err := f.Resolve(func(string) string { return "" })
	if err != nil || !o.Embed || o.Member.Name != "n1" || o.Embedded {
		t.Fatalf("embed=%v member=%q embedded=%v err=%v", o.Embed, o.Member.Name, o.Embedded, err)
	}
	headless := pflag.NewFlagSet("h", pflag.ContinueOnError)
	config.RegisterFlags(headless)
	if err := headless.Parse([]string{"--embed"}); err == nil {
		t.Fatal("a headless command must not take --embed")
	}
}

func TestKeySeparator(t *testing.T) {
	o, err := resolve(t, nil, nil)
	if err != nil || o.Sep != '/' {
		t.Fatalf("default separator %q %v", o.Sep, err)
	}
	cfg := writeConfig(t, "key-separator: \":\"\n")
	if o, err = resolve(t, []string{"--config", cfg}, nil); err != nil || o.Sep != ':' {
		t.Fatalf("config separator %q %v", o.Sep, err)
	}
	if o, err = resolve(t, []string{"--config", cfg, "--key-separator", "."}, nil); err != nil || o.Sep != '.' {
		t.Fatalf("flag separator %q %v", o.Sep, err)
	}
	if _, err = resolve(t, []string{"--key-separator", ""}, nil); err == nil || !strings.Contains(err.Error(), "--key-separator") {
		t.Fatalf("empty separator: %v", err)
	}
}
