package common

import "testing"

func TestFormat(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{Thousands(0), "0"},
		{Thousands(999), "999"},
		{Thousands(1000), "1,000"},
		{Thousands(-1234567), "-1,234,567"},
		{Plural(1, "row"), "1 row"},
		{Plural(2000, "row"), "2,000 rows"},
		{Pad("abc", 5), "abc  "},
		{Pad("abc", 0), ""},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	if got := Pad("abcdef", 4); len([]rune(got)) != 4 {
		t.Errorf("Pad cuts to the width: %q", got)
	}
}
