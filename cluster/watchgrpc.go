package cluster

import (
	"context"
	"errors"
	"io"
	"sync"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"
)

// This file is the Watch RPC stream a Watch reads itself, on the session's gRPC connection,
// rather than through clientv3's watcher. clientv3 receives every response as it comes and
// buffers it without bound until the caller reads its channel; a console behind a storm had to
// end the stream to stop that and reopen it from where it was, and the server then sent the
// backlog in responses of up to 1,000 revisions (10 MB each with 1 KiB values), which the
// console held at once (issue 22). Reading the stream ourselves, a watch whose channel is full
// simply stops calling Recv: gRPC's flow control then holds the server back, and the backlog
// stays in the member's store until the console asks for more.

// errStreamNotOpen: a progress request came while the watch's stream was being (re)opened.
var errStreamNotOpen = errors.New("the watch is reconnecting: its stream is not open yet")

// watchCallOptions are the call options clientv3 gives its own Watch streams: wait for a
// connection rather than fail at once while the client reconnects, and take responses as large
// as the session's other calls do (a revision of big values can exceed gRPC's 4 MiB default).
var watchCallOptions = []grpc.CallOption{grpc.WaitForReady(true), grpc.MaxCallRecvMsgSize(maxRecvMsgSize)}

// received is one result of Recv: a response, or the error that ended the stream.
type received struct {
	resp *pb.WatchResponse
	err  error
}

// watchConn is one Watch RPC stream. A goroutine opens it, sends the create request and calls
// Recv, handing each response over an unbuffered channel: it calls Recv again only once the
// watch's loop took the last response, so a loop blocked on a full channel blocks the reading.
type watchConn struct {
	recv chan received
	mu   sync.Mutex           // a gRPC stream takes one Send at a time
	ws   pb.Watch_WatchClient // nil until opened
}

// openWatchConn starts the goroutine that opens a Watch stream on cli's connection with create
// and reads it until ctx ends or the stream fails (the last thing on recv is then the error).
// The stream is opened through the connection's interceptors, so it carries the session's auth
// token (renewed on each new stream, as clientv3 does for its own watches) and the client's
// version; ctx carries the require-leader metadata (streamContext).
func openWatchConn(ctx context.Context, cli *clientv3.Client, create *pb.WatchCreateRequest) *watchConn {
	c := &watchConn{recv: make(chan received)}
	go c.read(ctx, cli, create)
	return c
}

func (c *watchConn) read(ctx context.Context, cli *clientv3.Client, create *pb.WatchCreateRequest) {
	deliver := func(r received) bool {
		select {
		case c.recv <- r:
			return true
		case <-ctx.Done():
			return false
		}
	}
	ws, err := pb.NewWatchClient(cli.ActiveConnection()).Watch(ctx, watchCallOptions...)
	if err == nil {
		c.mu.Lock()
		err = ws.Send(&pb.WatchRequest{RequestUnion: &pb.WatchRequest_CreateRequest{CreateRequest: create}})
		if err == nil {
			c.ws = ws
		}
		c.mu.Unlock()
	}
	if err != nil {
		deliver(received{err: streamError(err)})
		return
	}
	for {
		resp, err := ws.Recv()
		if err != nil {
			deliver(received{err: streamError(err)})
			return
		}
		if !deliver(received{resp: resp}) {
			return
		}
	}
}

// requestProgress asks the server, on this stream, how far its watch is.
func (c *watchConn) requestProgress() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ws == nil {
		return errStreamNotOpen
	}
	return streamError(c.ws.Send(&pb.WatchRequest{RequestUnion: &pb.WatchRequest_ProgressRequest{
		ProgressRequest: &pb.WatchProgressRequest{}}}))
}

// streamError is the etcd error a stream ended with, as clientv3 reports it (a lost leader is
// rpctypes.ErrNoLeader), or errStreamEnded when the server closed the stream without one.
func streamError(err error) error {
	if errors.Is(err, io.EOF) {
		return errStreamEnded
	}
	return rpctypes.Error(err)
}

// errStreamEnded: the server closed the stream without saying why.
var errStreamEnded = errors.New("the watch stream ended unexpectedly")

// responseError is the error a response carries when the server canceled the watch: the reason
// it gave (permission denied, an expired token), or a start revision in the future.
func responseError(resp *pb.WatchResponse) error {
	switch {
	case !resp.Canceled:
		return nil
	case resp.CancelReason != "":
		// The reason is the text of the server's gRPC error ("rpc error: code =
		// PermissionDenied desc = etcdserver: permission denied") or of an etcd error.
		return rpctypes.Error(watchCancelReason(errors.New(resp.CancelReason)))
	}
	return rpctypes.ErrFutureRev
}
