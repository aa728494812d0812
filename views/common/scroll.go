package common

// KeepInWindow clamps cursor to one of n rows and returns it with the first row of a window of
// rows lines that shows it: moved no more than needed, never past the end.
func KeepInWindow(cursor, offset, n, rows int) (int, int) {
	cursor = max(0, min(cursor, n-1))
	if cursor < offset {
		offset = cursor
	}
	if rows > 0 && cursor >= offset+rows {
		offset = cursor - rows + 1
	}
	return cursor, max(0, min(offset, n-rows))
}
