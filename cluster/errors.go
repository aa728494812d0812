package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// IsCompacted reports whether err means a revision was compacted away (a listing or a count read
// at it): the caller reloads. It sees through Explain, which keeps etcd's typed error.
func IsCompacted(err error) bool {
	return err != nil && (errors.Is(err, rpctypes.ErrCompacted) || errors.Is(rpctypes.Error(err), rpctypes.ErrCompacted))
}

// explainedError is a sentence for a person that keeps what it explains: errors.Is and errors.As
// find the cause, etcd's typed error for it (rpctypes.ErrCompacted, ...) when the cause is a gRPC
// status, and the context error when the status is a deadline or a cancellation.
type explainedError struct {
	msg    string
	causes []error
}

func (e *explainedError) Error() string   { return e.msg }
func (e *explainedError) Unwrap() []error { return e.causes }

// explained wraps err under msg. It is %w without appending the cause's text, which would bring
// gRPC's wrapping back into the sentence.
func explained(msg string, err error) error {
	causes := []error{err}
	var ee rpctypes.EtcdError
	if !errors.As(err, &ee) {
		if ev, ok := rpctypes.Error(err).(rpctypes.EtcdError); ok {
			causes = append(causes, ev)
		}
	}
	switch status.Code(err) {
	case codes.DeadlineExceeded:
		if !errors.Is(err, context.DeadlineExceeded) {
			causes = append(causes, context.DeadlineExceeded)
		}
	case codes.Canceled:
		if !errors.Is(err, context.Canceled) {
			causes = append(causes, context.Canceled)
		}
	}
	return &explainedError{msg: msg, causes: causes}
}

// IsPermissionDenied reports whether err is etcd refusing the session's user (a probe that
// reached the member but may not read).
func IsPermissionDenied(err error) bool {
	// errors.Is on err itself finds it under a PermissionError and Explain's wrapping.
	return err != nil && (errors.Is(err, rpctypes.ErrPermissionDenied) || errors.Is(rpctypes.Error(err), rpctypes.ErrPermissionDenied))
}

// Explain turns an error of a clientv3 call into a sentence a person can act on, without the
// gRPC wrapping; errors.Is and errors.As still find the cause. It is for calls on a connection that
// already worked; Connect diagnoses more.
func Explain(err error) error {
	if err == nil {
		return nil
	}
	var already *explainedError
	if errors.As(err, &already) {
		return err
	}
	return explained(explainText(err), err)
}

// explainText is Explain's sentence.
func explainText(err error) string {
	ev := rpctypes.Error(err)
	switch {
	case errors.Is(ev, rpctypes.ErrAuthFailed):
		return "authentication failed: check --user and the password"
	case errors.Is(ev, rpctypes.ErrPermissionDenied):
		return "permission denied: the user's roles do not allow this"
	case errors.Is(ev, rpctypes.ErrCompacted):
		return "that revision has been compacted"
	case errors.Is(ev, rpctypes.ErrFutureRev):
		return "that revision is in the future"
	case errors.Is(ev, rpctypes.ErrNoLeader):
		return "the cluster has no leader (lost quorum?)"
	case errors.Is(ev, rpctypes.ErrRequestTooLarge):
		return "request too large for the server's --max-request-bytes"
	case errors.Is(ev, rpctypes.ErrNoSpace):
		return "the database is full (NOSPACE alarm): compact, defragment and disarm"
	case errors.Is(err, context.DeadlineExceeded) || status.Code(err) == codes.DeadlineExceeded:
		return "timed out waiting for the cluster (--command-timeout)"
	case errors.Is(err, context.Canceled) || status.Code(err) == codes.Canceled:
		return "cancelled"
	}
	if s, ok := status.FromError(err); ok && s.Code() != codes.OK {
		return strings.TrimPrefix(s.Message(), "etcdserver: ")
	}
	return strings.TrimPrefix(err.Error(), "etcdserver: ")
}

// explainDown is Explain for a call on a working connection that timed out or found no member
// ready: when no endpoint answers it names why ("connection refused at 127.0.0.1:22379 (member
// down?)"), which gRPC only reports as a deadline. ctx is the caller's, not the expired call's.
func (c *Client) explainDown(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	code := status.Code(err)
	if !errors.Is(err, context.DeadlineExceeded) && code != codes.DeadlineExceeded && code != codes.Unavailable {
		return Explain(err)
	}
	if ctx.Err() == context.Canceled {
		return Explain(err) // the session ended: nothing to diagnose
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.conf.DialTimeout)
	defer cancel()
	var causes []string
	for _, ep := range c.c.Endpoints() {
		why := c.WhyUnreachable(dctx, HostOf(ep))
		if why == "" {
			return Explain(err) // one endpoint looks fine: the cluster itself is slow
		}
		if strings.HasPrefix(why, "connection refused at ") {
			why = HostOf(ep) + " refuses connections (member down?)"
		}
		causes = append(causes, why)
	}
	if len(causes) == 0 {
		return Explain(err)
	}
	return explained(strings.Join(causes, "; "), err)
}

// explain diagnoses a failure to connect: auth errors say so; transport failures are retried by
// hand against each endpoint (TCP, then TLS) to name the real cause, which gRPC hides behind
// "context deadline exceeded".
func (c *Client) explain(ctx context.Context, err error) error {
	ev := rpctypes.Error(err)
	switch {
	case errors.Is(ev, rpctypes.ErrAuthFailed):
		return explained(fmt.Sprintf("authentication failed for user %s: wrong user name or password", c.conf.User), err)
	case errors.Is(ev, rpctypes.ErrPermissionDenied):
		return explained(fmt.Sprintf("permission denied for user %s", c.conf.User), err)
	case errors.Is(ev, rpctypes.ErrAuthNotEnabled):
		return explained(fmt.Sprintf("user %s given but authentication is not enabled on the cluster", c.conf.User), err)
	}
	if why := c.diagnoseAll(ctx); why != "" {
		return explained(why, err)
	}
	return Explain(err)
}

// diagnoseAll joins what is wrong with each endpoint, or returns "" when they all look fine.
func (c *Client) diagnoseAll(ctx context.Context) string {
	var causes []string
	for _, ep := range c.conf.Endpoints {
		if why := c.WhyUnreachable(ctx, HostOf(ep)); why != "" {
			causes = append(causes, why)
		}
	}
	return strings.Join(causes, "; ")
}

// WhyUnreachable dials one endpoint (host:port) the way gRPC would and names the transport's
// cause when it does not answer, or "" when it finds none.
func (c *Client) WhyUnreachable(ctx context.Context, addr string) string {
	d := net.Dialer{Timeout: c.conf.DialTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		var dnsErr *net.DNSError
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			return "connection refused at " + addr
		case errors.As(err, &dnsErr):
			return fmt.Sprintf("cannot resolve %s: %s", dnsErr.Name, dnsErr.Err)
		case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
			return fmt.Sprintf("no answer from %s within %s (--dial-timeout)", addr, c.conf.DialTimeout)
		}
		return fmt.Sprintf("cannot reach %s: %v", addr, err)
	}
	defer conn.Close()
	deadline := time.Now().Add(c.conf.DialTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	conn.SetDeadline(deadline)
	t := c.tls
	if t == nil {
		// Plaintext: does it speak HTTP/2 as gRPC does, HTTP/1 only, or nothing at all?
		h2 := answersH2(conn)
		switch h2 {
		case h2Silent:
			return fmt.Sprintf("%s accepts connections but does not answer within %s (--dial-timeout)", addr, c.conf.DialTimeout)
		case h2Yes:
			return ""
		}
		// An HTTP/1 answer: a TLS server's plain-HTTP refusal looks the same, so ask in TLS.
		conn2, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return ""
		}
		defer conn2.Close()
		conn2.SetDeadline(deadline)
		probe := tls.Client(conn2, &tls.Config{InsecureSkipVerify: true})
		if probe.Handshake() == nil {
			return addr + " speaks TLS: use an https:// endpoint with --cacert (and --cert/--key if it asks for a client certificate)"
		}
		if h2 == h2HTTP1 {
			return fmt.Sprintf("%s answers HTTP, not etcd's gRPC", addr)
		}
		return ""
	}
	t = t.Clone()
	if host, _, err := net.SplitHostPort(addr); err == nil && t.ServerName == "" {
		t.ServerName = host
	}
	tc := tls.Client(conn, t)
	err = tc.Handshake()
	if errors.Is(err, io.EOF) && speaksHTTP(ctx, addr, c.conf.DialTimeout) {
		// etcd's plaintext port closes on a TLS hello without a word, so ask it in plain HTTP.
		return addr + " does not speak TLS: use an http:// endpoint and drop the TLS flags"
	}
	if err == nil {
		// TLS 1.3 servers reject a missing client certificate after the handshake: read to see it.
		tc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		_, err = tc.Read(make([]byte, 1))
		if err != nil && isTimeout(err) {
			return ""
		}
	}
	if isTimeout(err) {
		return fmt.Sprintf("%s accepts connections but does not answer within %s (--dial-timeout)", addr, c.conf.DialTimeout)
	}
	return tlsCause(addr, err)
}

// What a plaintext server said to the HTTP/2 connection preface.
const (
	h2Yes    = iota // an HTTP/2 frame: gRPC (etcd's client port) can talk to it
	h2HTTP1         // "HTTP/1.x ...": an HTTP/1 server, not gRPC
	h2Silent        // nothing before the deadline
	h2Other         // closed, or bytes that are neither
)

// answersH2 sends conn the HTTP/2 preface and an empty SETTINGS frame, as gRPC does first, and
// classifies the first bytes back. conn's deadline bounds the wait.
func answersH2(conn net.Conn) int {
	if _, err := io.WriteString(conn, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00"); err != nil {
		return h2Other
	}
	head := make([]byte, 5)
	n, err := io.ReadFull(conn, head)
	switch {
	case n == 0 && isTimeout(err):
		return h2Silent
	case n == 5 && string(head) == "HTTP/":
		return h2HTTP1
	case n >= 4 && head[3] == 0x04: // a frame header whose type is SETTINGS
		return h2Yes
	}
	return h2Other
}

// speaksHTTP reports whether addr answers a plaintext HTTP request, as etcd's client port does
// without TLS.
func speaksHTTP(ctx context.Context, addr string, timeout time.Duration) bool {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	if _, err := io.WriteString(conn, "GET /version HTTP/1.0\r\n\r\n"); err != nil {
		return false
	}
	head := make([]byte, 5)
	_, err = io.ReadFull(conn, head)
	return err == nil && string(head) == "HTTP/"
}

func tlsCause(addr string, err error) string {
	if err == nil {
		return ""
	}
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var rec tls.RecordHeaderError
	var verr *tls.CertificateVerificationError
	msg := err.Error()
	switch {
	case errors.As(err, &unknown):
		return fmt.Sprintf("certificate signed by unknown authority at %s: check --cacert", addr)
	case errors.As(err, &host):
		return fmt.Sprintf("the certificate of %s is not valid for that name: %v", addr, host.Error())
	case errors.As(err, &invalid):
		return fmt.Sprintf("the certificate of %s is invalid: %v", addr, invalid.Error())
	case errors.As(err, &verr):
		return fmt.Sprintf("cannot verify the certificate of %s: %v", addr, verr.Err)
	case errors.As(err, &rec):
		return addr + " does not speak TLS: use an http:// endpoint and drop the TLS flags"
	// The server's TLS alert reaches a client only as text: crypto/tls's alert type is unexported.
	case strings.Contains(msg, "certificate required") || strings.Contains(msg, "bad certificate"):
		return fmt.Sprintf("%s rejected our client certificate (or none was sent): check --cert and --key", addr)
	}
	return fmt.Sprintf("TLS with %s failed: %v", addr, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
