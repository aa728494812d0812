package cluster

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
)

// Member is the embedded member running in a child process (embednode.Child): when it exits the
// console shows its last log lines and offers to restart it.
type Member interface {
	// Exited is closed when the member process ends. After a Restart it returns a new channel.
	Exited() <-chan struct{}
	// LastLines returns up to n of the member's last log lines.
	LastLines(n int) []string
	// Restart starts the member again with the same configuration.
	Restart(ctx context.Context) error
	// Endpoints are the member's client URLs.
	Endpoints() []string
}

// sessionIDs numbers sessions within the process, so a result can name the session it belongs to.
var sessionIDs atomic.Uint64

// Session is one connection to one cluster as the console and the headless commands use it: the
// client, how it is labelled, the embedded member if any, and a context that ends with it. Every
// RPC's context derives from Context, so ending the session cancels what is in flight; results
// carry ID, so a result from an ended session is never applied to the next one.
type Session struct {
	// ID is unique within the process and never 0.
	ID uint64
	// Client is the connection; nil only in rendering tests.
	Client *Client
	// Label is what the console says it is connected to: "embedded 127.0.0.1:2379" or the
	// endpoints.
	Label string
	// Member is the embedded member, nil when connected to a cluster elsewhere.
	Member Member
	ctx    context.Context
	cancel context.CancelFunc
	parent context.Context // NewSession's ctx: WithClient's session derives from it too
	once   sync.Once
}

// NewSession starts a session over client; its context is a child of ctx. member may be nil,
// and a nil pointer in the interface (a *embednode.Child that was never started) is nil too:
// the one place that guards against it, so Session.Member == nil always means "no member".
func NewSession(ctx context.Context, client *Client, label string, member Member) *Session {
	if v := reflect.ValueOf(member); member != nil && v.Kind() == reflect.Pointer && v.IsNil() {
		member = nil
	}
	s := &Session{ID: sessionIDs.Add(1), Client: client, Label: label, Member: member, parent: ctx}
	s.ctx, s.cancel = context.WithCancel(ctx)
	return s
}

// ReadOnly reports whether the session refuses writes. The client holds that state (its write
// path refuses and audits); the session only asks it, so the two can never disagree.
func (s *Session) ReadOnly() bool { return s.Client != nil && s.Client.ReadOnly() }

// Context is cancelled when the session ends; RPC contexts derive from it.
func (s *Session) Context() context.Context { return s.ctx }

// End cancels the session's context and closes its client. Calling it again does nothing.
func (s *Session) End() {
	s.once.Do(func() {
		s.cancel()
		if s.Client != nil {
			_ = s.Client.Close()
		}
	})
}
