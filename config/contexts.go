package config

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
)

// EmbeddedContext is the name :ctx gives the embedded member beside the config's contexts.
const EmbeddedContext = "embedded"

// ContextInfo is one context as :ctx lists it: never its password.
type ContextInfo struct {
	Name      string
	Endpoints []string
	User      string
	ReadOnly  bool
}

// ContextList is the config's contexts by name, then the embedded member.
func (s *Settings) ContextList() []ContextInfo {
	var out []ContextInfo
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for n := range s.contexts {
			if !yield(n) {
				return
			}
		}
	}) {
		c := s.contexts[name]
		out = append(out, ContextInfo{Name: name, Endpoints: c.Endpoints, User: c.User, ReadOnly: c.ReadOnly || s.baseReadOnly})
	}
	return append(out, ContextInfo{Name: EmbeddedContext, ReadOnly: s.baseReadOnly})
}

// ForContext is s for the context named, as --context name would resolve it apart from the
// connection flags (a context is one unit: the flags named the first cluster, not this one):
// its connection, password (password-file, password-env), prefix, and read-only mode, which
// the context's `read-only: true` or the flags' --read-only makes true. EmbeddedContext is the
// embedded member. Warnings are the context's only.
func (s *Settings) ForContext(name string) (Settings, error) {
	o := *s
	o.Conn = Defaults().Conn
	o.Warnings, o.Prefix, o.ReadOnly = nil, s.basePrefix, s.baseReadOnly
	if name == EmbeddedContext {
		if _, clash := s.contexts[name]; !clash {
			o.Context, o.Source, o.Embedded = "", "embedded", true
			return o, nil
		}
	}
	c, ok := s.contexts[name]
	if !ok {
		names := make([]string, 0, len(s.contexts)+1)
		for _, ci := range s.ContextList() {
			names = append(names, ci.Name)
		}
		return Settings{}, fmt.Errorf("no context %q: the contexts are %s", name, strings.Join(names, ", "))
	}
	o.Context, o.Embedded = name, false
	if err := o.applyContext(name, c, "context "+name, s.getenv); err != nil {
		return Settings{}, err
	}
	o.ReadOnly = o.ReadOnly || c.ReadOnly
	return o, nil
}

// contextPassword sets the password of context name from its password-file or password-env,
// and warns when the config holds it in plain text.
func (o *Settings) contextPassword(name string, c Context, getenv func(string) string) error {
	set := 0
	for _, v := range []string{c.Password, c.PasswordFile, c.PasswordEnv} {
		if v != "" {
			set++
		}
	}
	if set > 1 {
		return fmt.Errorf("context %s: password, password-file and password-env go one at a time", name)
	}
	switch {
	case c.Password != "":
		where := o.ConfigPath
		if where == "" {
			where = "the config file"
		}
		o.Warnings = append(o.Warnings, fmt.Sprintf("context %s in %s holds a plain password: use password-file or password-env", name, where))
	case c.PasswordFile != "":
		data, err := os.ReadFile(expandHome(c.PasswordFile))
		if err != nil {
			return fmt.Errorf("context %s: password-file: %w", name, err)
		}
		o.Conn.Password = strings.TrimRight(string(data), "\r\n")
		if o.Conn.Password == "" {
			return fmt.Errorf("context %s: password-file %s is empty", name, c.PasswordFile)
		}
	case c.PasswordEnv != "":
		if getenv == nil {
			getenv = os.Getenv
		}
		if o.Conn.Password = getenv(c.PasswordEnv); o.Conn.Password == "" {
			return errors.New("context " + name + ": password-env " + c.PasswordEnv + " is not set")
		}
	}
	return nil
}
