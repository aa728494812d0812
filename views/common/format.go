package common

import (
	"fmt"
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

// FormatSize is a size as views show it: "12 B", "1.9 KiB", "3.0 MiB", "1.0 GiB", "2.5 TiB".
func FormatSize(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	// The next unit starts where one decimal would round to 1024.0 ("1.0 MiB", not
	// "1024.0 KiB"); TiB is the last, so a size past it reads "2048.0 TiB".
	v := float64(n) / 1024
	units := []string{"KiB", "MiB", "GiB", "TiB"}
	i := 0
	for v >= 1023.95 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
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
