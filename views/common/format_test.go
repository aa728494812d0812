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
		{FormatSize(1023), "1023 B"},
		{FormatSize(1024), "1.0 KiB"},
		{FormatSize(1536*1024 - 512), "1.5 MiB"},
		{FormatSize(1024*1024 - 1), "1.0 MiB"},
		{FormatSize(1024*1024 - 52*1024), "972.0 KiB"},
		{FormatSize(1102480752), "1.0 GiB"},
		{FormatSize(5 << 30), "5.0 GiB"},
		{FormatSize(3 << 39), "1.5 TiB"},
		{FormatSize(4096 << 40), "4096.0 TiB"},
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
