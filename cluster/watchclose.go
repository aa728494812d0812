package cluster

import "sync"

// watchSet is the client's open watches, so a restore can end them before the member under
// them stops: etcd's graceful stop waits for open watch streams, and the console's own held
// the embedded member's stop for R for 7 s (the same stop on quit, with no stream, takes 8 ms).
type watchSet struct {
	mu   sync.Mutex
	open map[*Watch]struct{}
}

// track adds w until its goroutine ends.
func (c *Client) track(w *Watch) {
	c.watches.mu.Lock()
	if c.watches.open == nil {
		c.watches.open = map[*Watch]struct{}{}
	}
	c.watches.open[w] = struct{}{}
	c.watches.mu.Unlock()
	go func() {
		<-w.done
		c.watches.mu.Lock()
		delete(c.watches.open, w)
		c.watches.mu.Unlock()
	}()
}

// CloseWatches ends every watch open on this client and returns once their streams are closed
// (each watch then reports StateClosed). Restore calls it before the member is stopped; the
// views watch again after the restore (ReloadViewsMsg rebuilds them).
func (c *Client) CloseWatches() {
	c.watches.mu.Lock()
	open := make([]*Watch, 0, len(c.watches.open))
	for w := range c.watches.open {
		open = append(open, w)
	}
	c.watches.mu.Unlock()
	for _, w := range open {
		w.Close()
		// Closed: no longer open, now rather than when track's goroutine gets to it (a count
		// taken just after, as Restore's caller may, saw one still open on a loaded machine).
		c.watches.mu.Lock()
		delete(c.watches.open, w)
		c.watches.mu.Unlock()
	}
}

// OpenWatches counts the watches open on this client.
func (c *Client) OpenWatches() int {
	c.watches.mu.Lock()
	defer c.watches.mu.Unlock()
	return len(c.watches.open)
}
