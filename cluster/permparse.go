package cluster

import (
	"fmt"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// ParsePerm reads a permission as the Access view and `:role grant` take it, the way Span
// shows one: "TYPE KEY" or "TYPE FROM TO", keys escaped as the console shows them (\x20 for a
// space). KEY ending in "/" is that prefix (every key below it), KEY ending in "*" the prefix
// before the "*", "*" alone every key, any other KEY the single key; FROM TO is the range
// [FROM, TO). A single key ending in "/" is written as a range to the key followed by \x00.
func ParsePerm(text string) (Perm, error) {
	f := strings.Fields(text)
	if len(f) < 2 || len(f) > 3 {
		return Perm{}, fmt.Errorf("a permission is a type and a key (read /app/), or a type and a range (read /a /b)")
	}
	var p Perm
	switch f[0] {
	case PermRead, PermWrite, PermReadWrite:
		p.Type = f[0]
	default:
		return Perm{}, fmt.Errorf("permission type %q: read, write or readwrite", EscapeText(f[0]))
	}
	key, err := UnescapeKey(f[1])
	if err != nil {
		return Perm{}, fmt.Errorf("key %s: %w", EscapeText(f[1]), err)
	}
	if len(f) == 3 {
		end, err := UnescapeKey(f[2])
		if err != nil {
			return Perm{}, fmt.Errorf("range end %s: %w", EscapeText(f[2]), err)
		}
		if end <= key {
			return Perm{}, fmt.Errorf("the range [%s, %s) holds no key: its end must come after its start", EscapeKey(key), EscapeKey(end))
		}
		p.Key, p.RangeEnd = key, end
		return p, nil
	}
	switch {
	case key == "*":
		p.Key, p.RangeEnd = "", "\x00"
	case strings.HasSuffix(key, "*"):
		p.Key = strings.TrimSuffix(key, "*")
		p.RangeEnd = clientv3.GetPrefixRangeEnd(p.Key)
	case strings.HasSuffix(key, "/"):
		p.Key, p.RangeEnd = key, clientv3.GetPrefixRangeEnd(key)
	default:
		p.Key = key
	}
	return p, nil
}
