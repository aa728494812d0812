package decode

import (
	"strings"
)

// tokJSON tokenises one line of json.Indent's output. Every string sits on one line there, so a
// line needs no state from the lines before it.
func tokJSON(s string) Line {
	var l Line
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ':
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			l = append(l, Token{s[i:j], Plain})
			i = j
		case c == '"':
			j := endOfString(s, i)
			kind := String
			if k := skipSpaces(s, j); k < len(s) && s[k] == ':' {
				kind = Key
			}
			l = append(l, Token{s[i:j], kind})
			i = j
		case strings.IndexByte("{}[],:", c) >= 0:
			l = append(l, Token{s[i : i+1], Punct})
			i++
		default:
			j := i
			for j < len(s) && strings.IndexByte(" ,]}", s[j]) < 0 {
				j++
			}
			if j == i {
				j++
			}
			kind := Number
			switch s[i:j] {
			case "true", "false", "null":
				kind = Literal
			}
			l = append(l, Token{s[i:j], kind})
			i = j
		}
	}
	return l
}

// endOfString returns the index just past the JSON string starting at s[i] ('"'), or len(s).
func endOfString(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(s)
}

func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// tokYAML tokenises one YAML line by its shape (indent, "- ", "key:", value, "# comment"). It is
// a highlighter, not a parser: block scalars and flow collections come out as plain values.
func tokYAML(s string) Line {
	var l Line
	i := skipSpaces(s, 0)
	if i > 0 {
		l = append(l, Token{s[:i], Plain})
	}
	rest := s[i:]
	if strings.HasPrefix(rest, "#") {
		return append(l, Token{rest, Comment})
	}
	for strings.HasPrefix(rest, "- ") || rest == "-" {
		l = append(l, Token{rest[:1], Punct})
		rest = rest[1:]
		if n := skipSpaces(rest, 0); n > 0 {
			l = append(l, Token{rest[:n], Plain})
			rest = rest[n:]
		}
	}
	if k := yamlKeyEnd(rest); k > 0 {
		l = append(l, Token{rest[:k], Key}, Token{":", Punct})
		rest = rest[k+1:]
		if n := skipSpaces(rest, 0); n > 0 {
			l = append(l, Token{rest[:n], Plain})
			rest = rest[n:]
		}
	}
	if rest == "" {
		return l
	}
	value, comment := rest, ""
	if c := strings.Index(rest, " #"); c >= 0 && !strings.ContainsAny(rest[:c], `"'`) {
		value, comment = rest[:c], rest[c:]
	}
	l = append(l, Token{value, yamlScalarKind(value)})
	if comment != "" {
		l = append(l, Token{comment, Comment})
	}
	return l
}

// yamlKeyEnd returns the index of the ':' ending a mapping key at the start of s, or -1.
func yamlKeyEnd(s string) int {
	if s == "" || strings.IndexByte("{[|>&*!%@`", s[0]) >= 0 {
		return -1
	}
	if s[0] == '"' || s[0] == '\'' {
		q := s[0]
		for j := 1; j < len(s); j++ {
			if s[j] == q {
				if j+1 < len(s) && s[j+1] == ':' && (j+2 == len(s) || s[j+2] == ' ') {
					return j + 1
				}
				return -1
			}
		}
		return -1
	}
	for j := 0; j < len(s); j++ {
		if s[j] == ':' && (j+1 == len(s) || s[j+1] == ' ') {
			return j
		}
		if s[j] == ' ' && j+1 < len(s) && s[j+1] == '#' {
			return -1
		}
	}
	return -1
}

func yamlScalarKind(v string) TokenKind {
	t := strings.TrimSpace(v)
	switch t {
	case "true", "false", "null", "~", "True", "False", "Null", "yes", "no":
		return Literal
	case "|", ">", "|-", ">-", "|+", ">+", "{}", "[]":
		return Punct
	}
	if t != "" && (t[0] == '-' || t[0] == '.' || t[0] >= '0' && t[0] <= '9') && strings.Trim(t, "0123456789.-+eE_") == "" {
		return Number
	}
	return String
}

// looksYAML is a cheap test for YAML text: the first line that is not blank, a comment or "---"
// is a mapping key ("name: x", "name:") or a list item ("- x"), and a second such line follows.
// A full parse of a 1.5 MiB value would cost more than the rendering it chooses.
func looksYAML(v []byte) bool {
	s := string(v[:min(len(v), 8192)])
	structural := 0
	for line := range strings.SplitSeq(s, "\n") {
		t := strings.TrimRight(line, "\r")
		trim := strings.TrimSpace(t)
		if trim == "" || strings.HasPrefix(trim, "#") || trim == "---" {
			continue
		}
		body := strings.TrimLeft(t, " ")
		if strings.HasPrefix(body, "- ") || body == "-" || yamlKeyEnd(body) > 0 {
			structural++
			if structural >= 2 {
				return true
			}
			continue
		}
		if structural == 0 || !strings.HasPrefix(t, " ") {
			return false
		}
	}
	return false
}
