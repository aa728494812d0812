package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"
)

// File is the shape of $XDG_CONFIG_HOME/etcdeck/config.yaml. Every field is optional.
//
//	default-context: prod          # used when neither --context, flags nor ETCDCTL_ENDPOINTS name a cluster
//	contexts:
//	  prod:
//	    endpoints: [https://10.0.0.1:2379, https://10.0.0.2:2379]
//	    cacert: /etc/etcd/ca.pem
//	    cert: /etc/etcd/client.pem
//	    key: /etc/etcd/client-key.pem
//	    user: root                 # the password is asked on the terminal, or:
//	    password-file: ~/.etcd-pw  # (or password-env: ETCD_PROD_PW) never a plain password
//	    read-only: true            # every session on this context is read-only
//	    prefix: /app/              # where the Keys view starts
//	backup-dir: ~/backups/etcd     # where snapshots go
//	snapshot-keep: 10              # retention: always keep a cluster's newest 10 snapshots ...
//	snapshot-keep-days: 30         # ... and older ones until they are 30 days old
//	health-poll-interval: 2s       # Cluster view refresh
//	watch-buffer-size: 100000      # events the Watch view keeps (the oldest go first)
//	watch-buffer-bytes: 256MiB     # bytes the Watch view keeps, keys and values counted
//	read-only: false               # refuse every write
//	key-separator: /               # the byte keys are split on into directories
//	prefix: /app/                  # where the Keys view starts (a context's prefix wins)
//	keys:                          # key overrides: action name -> keys
//	  global.quit: [q, ctrl+q]
//
// Optional values are pointers so that a value written (even 0 or "") is told from one left
// out: LoadFile validates every value written, and Resolve applies the default of every one left
// out, so no consumer applies a default of its own.
type File struct {
	DefaultContext     string              `yaml:"default-context"`
	Contexts           map[string]Context  `yaml:"contexts"`
	BackupDir          string              `yaml:"backup-dir"`
	SnapshotKeep       *int                `yaml:"snapshot-keep"`
	SnapshotKeepDays   *int                `yaml:"snapshot-keep-days"`
	HealthPollInterval *Duration           `yaml:"health-poll-interval"`
	WatchBufferSize    *int                `yaml:"watch-buffer-size"`
	WatchBufferBytes   *ByteSize           `yaml:"watch-buffer-bytes"`
	KeySeparator       *string             `yaml:"key-separator"`
	ReadOnly           *bool               `yaml:"read-only"`
	Prefix             *string             `yaml:"prefix"`
	Keys               map[string][]string `yaml:"keys"`

	// Path is where the file was read from ("" when there was none).
	Path string `yaml:"-"`
}

// Context is a named cluster connection in the config file; its fields mirror etcdctl's flags.
type Context struct {
	Endpoints             []string `yaml:"endpoints"`
	CACert                string   `yaml:"cacert"`
	Cert                  string   `yaml:"cert"`
	Key                   string   `yaml:"key"`
	InsecureSkipTLSVerify *bool    `yaml:"insecure-skip-tls-verify"`
	InsecureTransport     *bool    `yaml:"insecure-transport"`
	User                  string   `yaml:"user"`
	Password              string   `yaml:"password"` // works, with a warning: prefer the next two
	// PasswordFile is a file holding the password (a trailing newline is dropped); PasswordEnv
	// a variable holding it. Either keeps the password out of the config file.
	PasswordFile string `yaml:"password-file"`
	PasswordEnv  string `yaml:"password-env"`
	// ReadOnly true makes every session on this context read-only, whatever the flags say.
	ReadOnly         bool     `yaml:"read-only"`
	DialTimeout      Duration `yaml:"dial-timeout"`
	CommandTimeout   Duration `yaml:"command-timeout"`
	KeepaliveTime    Duration `yaml:"keepalive-time"`
	KeepaliveTimeout Duration `yaml:"keepalive-timeout"`
	// Prefix is where the Keys view starts on this cluster; it wins over the global prefix.
	Prefix string `yaml:"prefix"`
}

// Duration is a time.Duration written as "5s" in YAML.
type Duration time.Duration

// UnmarshalYAML parses Go duration syntax.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration (e.g. 5s, 1m)", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// ByteSize is a number of bytes written as "256MiB", "1GiB", "500KB" or a plain number in YAML.
type ByteSize int64

// UnmarshalYAML reads a size with an optional unit (B, KB/KiB, MB/MiB, GB/GiB; K, M, G are
// binary), refusing anything not positive.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseByteSize(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*b = ByteSize(v)
	return nil
}

// ParseByteSize reads "256MiB", "1.5GiB", "500KB" or "1048576" as bytes.
func ParseByteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	mult := map[string]float64{"": 1, "B": 1, "K": 1 << 10, "KIB": 1 << 10, "KB": 1e3, "M": 1 << 20, "MIB": 1 << 20,
		"MB": 1e6, "G": 1 << 30, "GIB": 1 << 30, "GB": 1e9}[strings.ToUpper(unit)]
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || mult == 0 || v*mult < 1 || v*mult > 1<<50 {
		return 0, fmt.Errorf("%q is not a size (e.g. 256MiB, 1GiB)", s)
	}
	return int64(v * mult), nil
}

// XDGDir is the etcdeck folder under an XDG base directory: $env/etcdeck, or
// ~/<fallback>/etcdeck when the variable is unset (e.g. XDGDir("XDG_DATA_HOME", ".local/share")).
func XDGDir(env, fallback string) string {
	base := os.Getenv(env)
	if base == "" {
		home, _ := os.UserHomeDir()
		base = filepath.Join(home, fallback)
	}
	return filepath.Join(base, "etcdeck")
}

// DefaultConfigPath is $XDG_CONFIG_HOME/etcdeck/config.yaml (~/.config when unset).
func DefaultConfigPath() string {
	return filepath.Join(XDGDir("XDG_CONFIG_HOME", ".config"), "config.yaml")
}

// StateDir is $XDG_STATE_HOME/etcdeck (~/.local/state when unset): logs live there.
func StateDir() string { return XDGDir("XDG_STATE_HOME", ".local/state") }

// DefaultBackupDir is $XDG_DATA_HOME/etcdeck/backups (~/.local/share when unset).
func DefaultBackupDir() string {
	return filepath.Join(XDGDir("XDG_DATA_HOME", ".local/share"), "backups")
}

// yamlLine finds the line number in yaml.v3's errors: "yaml: line 3: ...", or "line 3: ..." from
// a field's own UnmarshalYAML.
var yamlLine = regexp.MustCompile(`^(?:yaml: (?:unmarshal errors:\n\s*)?)?line (\d+): `)

// LoadFile reads the config file at path. A missing file is not an error when optional is true
// (the default path); a malformed one is one error naming the file and line.
func LoadFile(path string, optional bool) (*File, error) {
	data, err := readRegular(path)
	if errors.Is(err, fs.ErrNotExist) && optional {
		return &File{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			return nil, fmt.Errorf("%s:%s: %s", path, m[1], msg[len(m[0]):])
		}
		return nil, fmt.Errorf("%s: %s", path, msg)
	}
	if err := f.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.Path = path
	return &f, nil
}

// MinWatchBufferBytes is the smallest watch-buffer-bytes: one event as large as etcd lets it be
// (a key and value at the default request limit of 1.5 MiB) with its previous value. A smaller
// budget could not hold the event just received.
const MinWatchBufferBytes = 3 << 20

// validate checks every value the file sets, naming its key in the error.
func (f *File) validate() error {
	if f.DefaultContext != "" {
		if _, ok := f.Contexts[f.DefaultContext]; !ok {
			return fmt.Errorf("default-context %q is not one of the contexts", f.DefaultContext)
		}
	}
	if f.HealthPollInterval != nil && *f.HealthPollInterval <= 0 {
		return fmt.Errorf("health-poll-interval must be positive, not %s", time.Duration(*f.HealthPollInterval))
	}
	if f.WatchBufferSize != nil && *f.WatchBufferSize < 1 {
		return fmt.Errorf("watch-buffer-size must be at least 1, not %d", *f.WatchBufferSize)
	}
	if f.WatchBufferBytes != nil && *f.WatchBufferBytes < MinWatchBufferBytes {
		return fmt.Errorf("watch-buffer-bytes must be at least 3MiB (one event as large as etcd allows, with its previous value), not %d bytes", int64(*f.WatchBufferBytes))
	}
	if f.SnapshotKeep != nil && *f.SnapshotKeep < 1 {
		return errors.New("snapshot-keep must be at least 1 (the newest snapshot is always kept)")
	}
	if f.SnapshotKeepDays != nil && *f.SnapshotKeepDays < 0 {
		return errors.New("snapshot-keep-days must not be negative")
	}
	if f.KeySeparator != nil {
		if err := checkSep(*f.KeySeparator); err != nil {
			return fmt.Errorf("key-separator: %v", err)
		}
	}
	for _, action := range slices.Sorted(maps.Keys(f.Keys)) {
		if !slices.ContainsFunc(f.Keys[action], func(k string) bool { return strings.TrimSpace(k) != "" }) {
			return fmt.Errorf("keys: %s has no keys (list at least one, e.g. %s: [ctrl+x])", action, action)
		}
	}
	return nil
}

// readRegular reads the file at path, refusing anything but a regular file: reading a FIFO or a
// device (--config /dev/stdin, a named pipe) would block start-up forever or read without end.
// The file is opened with O_NONBLOCK, so opening a FIFO with no writer does not block either.
func readRegular(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, fileKind(info.Mode()))
	}
	return io.ReadAll(f)
}

// fileKind names what a non-regular file is, for the error.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

// checkSep accepts one byte other than 0xff (which cannot end a prefix range).
func checkSep(s string) error {
	if len(s) != 1 || s[0] == 0xff {
		return fmt.Errorf("%q must be one byte (not 0xff)", s)
	}
	return nil
}

// expandHome turns a leading ~/ into the user's home directory, as a shell would.
func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	return p
}
