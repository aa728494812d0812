package common

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
)

// Plural is "1 row", "2,000 rows".
func Plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return Thousands(int64(n)) + " " + what + "s"
}

// Thousands writes n with comma separators.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Pad cuts (with an ellipsis) or pads s to w cells.
func Pad(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) > w {
		return Fit(s, w, 1)
	}
	return s + strings.Repeat(" ", w-lipgloss.Width(s))
}
