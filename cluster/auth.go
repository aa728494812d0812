package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.etcd.io/etcd/api/v3/authpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// What a user that is not root may touch. etcd lets every user read its own user record and its
// own roles, so at Connect the client learns the key ranges of its user: the Keys view then opens
// on them when the root is not readable, probes (CompactedAt, CheckRev) read a key inside them,
// and writes outside the write ranges are refused before they are sent, with the roles named.

// Permission types as etcd's roles grant them.
const (
	PermRead      = "read"
	PermWrite     = "write"
	PermReadWrite = "readwrite"
)

// Perm is one permission of a role: a key, a prefix or a range [Key, RangeEnd) the role may read,
// write or both. RangeEnd is "" for a single key and "\x00" for every key from Key on.
type Perm struct {
	Role          string
	Type          string // PermRead, PermWrite or PermReadWrite
	Key, RangeEnd string
}

// Reads reports whether p allows reading.
func (p Perm) Reads() bool { return p.Type == PermRead || p.Type == PermReadWrite }

// Writes reports whether p allows writing.
func (p Perm) Writes() bool { return p.Type == PermWrite || p.Type == PermReadWrite }

// IsPrefix reports whether p is every key starting with Key (etcdctl's --prefix).
func (p Perm) IsPrefix() bool {
	return p.RangeEnd != "" && p.RangeEnd == clientv3.GetPrefixRangeEnd(p.Key)
}

// end is the exclusive end of p's range.
func (p Perm) end() string {
	if p.RangeEnd == "" {
		return p.Key + "\x00"
	}
	return p.RangeEnd
}

// Span is p's keys as a person reads them, escaped: "/app/" for a prefix (the trailing "/"
// reads as "and below"; a prefix not ending in "/" gets a "*"), the key itself, or
// "[from, to)" for a range.
func (p Perm) Span() string {
	switch {
	case p.RangeEnd == "":
		return EscapeKey(p.Key)
	case p.Key == "" && p.RangeEnd == "\x00":
		return "every key"
	case p.IsPrefix() && strings.HasSuffix(p.Key, "/"):
		return EscapeKey(p.Key)
	case p.IsPrefix():
		return EscapeKey(p.Key) + "*"
	case p.RangeEnd == "\x00":
		return "[" + EscapeKey(p.Key) + ", end)"
	}
	return "[" + EscapeKey(p.Key) + ", " + EscapeKey(p.RangeEnd) + ")"
}

// String is "/app/ (read)".
func (p Perm) String() string { return p.Span() + " (" + p.Type + ")" }

// Access is what the connected user may touch, read at Connect from its own user record and its
// roles. A nil *Access (no user given, or the record could not be read) restricts nothing: the
// server still decides.
type Access struct {
	User  string
	Roles []string
	// Root: the user has the root role, which allows everything.
	Root  bool
	Perms []Perm
}

// Restricted reports whether a is known and not root: only then do its ranges say anything.
func (a *Access) Restricted() bool { return a != nil && !a.Root }

// CanRead reports whether the user may read the single key k (true when unrestricted).
func (a *Access) CanRead(k string) bool {
	return !a.Restricted() || a.covers(k, k+"\x00", Perm.Reads)
}

// covers reports whether the union of the permissions that allow (by kind) holds [from, end).
// etcd merges every role's permissions of a kind into one set of ranges, so does this.
func (a *Access) covers(from, end string, kind func(Perm) bool) bool {
	var ps []Perm
	for _, p := range a.Perms {
		if kind(p) {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(x, y Perm) int { return strings.Compare(x.Key, y.Key) })
	at := from // everything before at is covered
	for _, p := range ps {
		if p.Key > at {
			break
		}
		if e := p.end(); e == "\x00" {
			return true
		} else if e > at {
			at = e
		}
		if end != "\x00" && at >= end {
			return true
		}
	}
	return false
}

// CheckWrite refuses a write to [from, end) (end "" for the single key from) that the user's
// roles do not cover, naming them; nil when unrestricted or covered.
func (a *Access) CheckWrite(from, end string) error {
	if !a.Restricted() {
		return nil
	}
	if end == "" {
		end = from + "\x00"
	}
	if a.covers(from, end, Perm.Writes) {
		return nil
	}
	span := EscapeKey(from)
	if end != from+"\x00" {
		span = Perm{Key: from, RangeEnd: end}.Span()
	}
	return &PermissionError{What: "writing " + span, Access: a}
}

// CheckWriteUnder refuses when no write permission of the user reaches a key starting with
// prefix: a new key there would be refused whatever its name.
func (a *Access) CheckWriteUnder(prefix string) error {
	if !a.Restricted() {
		return nil
	}
	end := clientv3.GetPrefixRangeEnd(prefix)
	for _, p := range a.Perms {
		if p.Writes() && (end == "\x00" || p.Key < end) && (p.end() == "\x00" || p.end() > prefix) {
			return nil
		}
	}
	return &PermissionError{What: "writing under " + dirName(prefix), Access: a}
}

// Denied words a read of key (a key, or a directory's prefix) that the server refused, naming
// the user's roles and what they allow; err itself when unrestricted.
func (a *Access) Denied(what string, err error) error {
	if !a.Restricted() || !IsPermissionDenied(err) {
		return err
	}
	return &PermissionError{What: what, Access: a, cause: err}
}

// PermissionError is a read or write the user's roles do not allow, in the operator's words:
// "permission denied: reading /: your roles (app-reader) allow /app/ (read)". errors.Is finds
// rpctypes.ErrPermissionDenied in it.
type PermissionError struct {
	What   string // "writing /other/k", "reading /"
	Access *Access
	cause  error
}

// Error names the roles and at most four of their permissions.
func (e *PermissionError) Error() string {
	a := e.Access
	roles := "your roles (" + strings.Join(a.Roles, ", ") + ")"
	if len(a.Roles) == 0 {
		roles = "user " + a.User + " has no role and"
	}
	var allow []string
	for i, p := range a.Perms {
		if i == 4 {
			allow = append(allow, fmt.Sprintf("and %d more", len(a.Perms)-4))
			break
		}
		allow = append(allow, p.String())
	}
	msg := "permission denied"
	if e.What != "" {
		msg += ": " + e.What
	}
	if len(allow) == 0 {
		return msg + ": " + roles + " allow no key"
	}
	return msg + ": " + roles + " allow " + strings.Join(allow, ", ")
}

// Unwrap lets errors.Is match rpctypes.ErrPermissionDenied (and the server's error, if any).
func (e *PermissionError) Unwrap() []error {
	if e.cause != nil {
		return []error{rpctypes.ErrPermissionDenied, e.cause}
	}
	return []error{rpctypes.ErrPermissionDenied}
}

// Permitted is one first-level entry under a directory the user may not list: a prefix (Dir) or
// single key the user's roles name, and what they allow there.
type Permitted struct {
	// Name is the part after the directory, without the trailing separator of a prefix: it may
	// hold separators ("app/w" under "/" for the prefix /app/w/).
	Name string
	Dir  bool
	Type string
}

// Beneath lists the prefixes and single keys the user's roles name strictly below dir, sorted,
// each with what they allow (a key named by a read and a write permission is readwrite). Ranges
// that are neither are left out: the denial's message names them.
func (a *Access) Beneath(dir string, sep byte) []Permitted {
	if !a.Restricted() {
		return nil
	}
	byName := map[string]*Permitted{}
	var out []*Permitted
	for _, p := range a.Perms {
		if !strings.HasPrefix(p.Key, dir) || p.Key == dir {
			continue
		}
		rest := p.Key[len(dir):]
		var e Permitted
		switch {
		case p.IsPrefix():
			e = Permitted{Name: strings.TrimSuffix(rest, string(sep)), Dir: true, Type: p.Type}
		case p.RangeEnd == "":
			e = Permitted{Name: rest, Type: p.Type}
		default:
			continue
		}
		id := fmt.Sprintf("%t/%s", e.Dir, e.Name)
		if old, ok := byName[id]; ok {
			if old.Type != e.Type {
				old.Type = PermReadWrite
			}
			continue
		}
		byName[id] = &e
		out = append(out, &e)
	}
	slices.SortFunc(out, func(x, y *Permitted) int { return strings.Compare(x.Name, y.Name) })
	res := make([]Permitted, len(out))
	for i, e := range out {
		res[i] = *e
	}
	return res
}

// Access is what the connected user may touch; nil when no user was given or its record could
// not be read (then nothing is restricted before the server says so).
func (c *Client) Access() *Access { return c.access }

// readAccess reads the user's own record and roles: etcd allows both to any user.
func (c *Client) readAccess(ctx context.Context) (*Access, error) {
	if c.conf.User == "" {
		return nil, nil
	}
	cctx, cancel := c.ctx(ctx)
	defer cancel()
	u, err := c.c.UserGet(cctx, c.conf.User)
	if err != nil {
		return nil, Explain(err)
	}
	a := &Access{User: c.conf.User, Roles: slices.Clone(u.Roles)}
	for _, role := range u.Roles {
		if role == "root" {
			a.Root = true
			continue
		}
		r, err := c.c.RoleGet(cctx, role)
		if err != nil {
			return nil, fmt.Errorf("reading role %s: %w", role, Explain(err))
		}
		for _, p := range r.Perm {
			a.Perms = append(a.Perms, permOf(role, p))
		}
	}
	return a, nil
}

// learnAccess sets c.access at Connect; a failure is logged and leaves it unknown, which only
// means the server's bare refusals are shown.
func (c *Client) learnAccess(ctx context.Context) {
	a, err := c.readAccess(ctx)
	if err != nil {
		if !errors.Is(rpctypes.Error(err), rpctypes.ErrAuthNotEnabled) {
			c.log.Warn("reading the user's roles", zap.String("user", c.conf.User), zap.Error(err))
		}
		return
	}
	c.access = a
}

func permOf(role string, p *authpb.Permission) Perm {
	t := PermRead
	switch p.PermType {
	case authpb.WRITE:
		t = PermWrite
	case authpb.READWRITE:
		t = PermReadWrite
	}
	return Perm{Role: role, Type: t, Key: string(p.Key), RangeEnd: string(p.RangeEnd)}
}

// probeKey is the key a revision probe reads (CompactedAt, CheckRev): "\x00" when the user may
// read it, else the first key of a range it may read, so a user that is not root can use history
// and :rev within its ranges.
func (c *Client) probeKey() string {
	if c.access.CanRead("\x00") {
		return "\x00"
	}
	for _, p := range c.access.Perms {
		if p.Reads() {
			return p.Key
		}
	}
	return "\x00"
}
