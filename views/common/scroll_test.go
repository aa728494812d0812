package common

import "testing"

func TestKeepInWindow(t *testing.T) {
	for _, tt := range []struct{ cursor, offset, n, rows, wantCursor, wantOffset int }{
		{0, 0, 0, 10, 0, 0},     // nothing to show
		{5, 0, 100, 10, 5, 0},   // visible: nothing moves
		{12, 0, 100, 10, 12, 3}, // below: the window follows, the cursor on its last row
		{2, 5, 100, 10, 2, 2},   // above: the cursor on the first row
		{150, 0, 100, 10, 99, 90},
		{-3, 4, 100, 10, 0, 0},
		{3, 50, 8, 10, 3, 0}, // fewer rows than the window: from the top
	} {
		c, o := KeepInWindow(tt.cursor, tt.offset, tt.n, tt.rows)
		if c != tt.wantCursor || o != tt.wantOffset {
			t.Errorf("KeepInWindow(%d, %d, %d, %d) = %d, %d; want %d, %d", tt.cursor, tt.offset, tt.n, tt.rows, c, o, tt.wantCursor, tt.wantOffset)
		}
	}
}
