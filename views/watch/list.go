package watch

// list is the cursor over the rows the filter shows: it follows the newest row unless the user
// scrolled up, and keeps its place when the oldest rows leave the buffer.
type list struct {
	cursor, offset int
	follow         bool
}

// move moves the cursor by delta within n rows; moving up leaves follow mode, reaching the
// newest row going down does not re-enter it (the bottom key does).
func (l *list) move(delta, n, h int) {
	if n == 0 {
		return
	}
	if delta < 0 {
		l.follow = false
	}
	if !l.follow {
		l.cursor = min(max(l.cursor+delta, 0), n-1)
	}
	l.scroll(n, h)
}

// top jumps to the oldest row, bottom to the newest and follows.
func (l *list) top(n, h int)    { l.follow, l.cursor = false, 0; l.scroll(n, h) }
func (l *list) bottom(n, h int) { l.follow = true; l.scroll(n, h) }

// shift moves the cursor up by gone rows that left the top of the list, so it stays on its row.
func (l *list) shift(gone int) {
	if gone > 0 && !l.follow {
		l.cursor = max(l.cursor-gone, 0)
		l.offset = max(l.offset-gone, 0)
	}
}

// scroll keeps the cursor within n rows and on screen (h rows high), on the newest when following.
func (l *list) scroll(n, h int) {
	if l.follow || l.cursor >= n {
		l.cursor = max(n-1, 0)
	}
	if h <= 0 {
		return
	}
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+h {
		l.offset = l.cursor - h + 1
	}
	l.offset = max(min(l.offset, n-h), 0)
}
