package cluster

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// WriteWatchJSON writes evs as JSON Lines, one line per event, each line the response `etcdctl
// watch -w json` prints (Header with the revision, Events with base64 keys and values and the
// kv revisions, prev_kv when known) holding that one event, so tools reading etcdctl's output
// read this too. Values are absent for events watched keys-only.
func WriteWatchJSON(w io.Writer, evs []Event) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw) // Encode ends each value with a newline
	for i := range evs {
		if err := enc.Encode(watchResponseOf(&evs[i])); err != nil {
			return fmt.Errorf("write event %d (%s at revision %d): %w", i+1, EscapeKey(evs[i].Key), evs[i].Rev, err)
		}
	}
	return bw.Flush()
}

// watchResponseOf is ev as etcdctl's watch printer sees it.
func watchResponseOf(ev *Event) clientv3.WatchResponse {
	kv := &mvccpb.KeyValue{Key: []byte(ev.Key), ModRevision: ev.Rev, CreateRevision: ev.CreateRev,
		Version: ev.Version, Value: ev.Value, Lease: ev.Lease}
	out := &clientv3.Event{Type: mvccpb.PUT, Kv: kv}
	if ev.Kind == EventDelete {
		out.Type = mvccpb.DELETE
	}
	if ev.HasPrev {
		out.PrevKv = &mvccpb.KeyValue{Key: []byte(ev.Key), ModRevision: ev.PrevRev, CreateRevision: ev.PrevCreateRev,
			Version: ev.PrevVersion, Value: ev.PrevValue}
	}
	return clientv3.WatchResponse{Header: &pb.ResponseHeader{Revision: ev.HeaderRev,
		ClusterId: ev.ClusterID, MemberId: ev.MemberID, RaftTerm: ev.RaftTerm}, Events: []*clientv3.Event{out}}
}

// ReadWatchJSON reads what WriteWatchJSON (or `etcdctl watch -w json`) wrote back into events,
// every event of every line in order. A line that is not a watch response is an error naming it.
func ReadWatchJSON(r io.Reader) ([]Event, error) {
	dec := json.NewDecoder(r)
	var evs []Event
	for line := 1; ; line++ {
		var resp clientv3.WatchResponse
		if err := dec.Decode(&resp); err == io.EOF {
			return evs, nil
		} else if err != nil {
			return evs, fmt.Errorf("watch response %d: %w", line, err)
		}
		hdr := resp.Header // the getters read a nil header as zeros
		for _, e := range resp.Events {
			if e == nil || e.Kv == nil {
				return evs, fmt.Errorf("watch response %d: an event without its kv", line)
			}
			ev := Event{Kind: EventPut, Key: string(e.Kv.Key), Rev: e.Kv.ModRevision, CreateRev: e.Kv.CreateRevision,
				Version: e.Kv.Version, Lease: e.Kv.Lease, Value: e.Kv.Value, ValueSize: int64(len(e.Kv.Value)),
				HeaderRev: hdr.GetRevision(), ClusterID: hdr.GetClusterId(), MemberID: hdr.GetMemberId(), RaftTerm: hdr.GetRaftTerm()}
			if e.Type == mvccpb.DELETE {
				ev.Kind, ev.Value, ev.ValueSize = EventDelete, nil, 0
			}
			if p := e.PrevKv; p != nil {
				ev.HasPrev, ev.PrevValue = true, p.Value
				ev.PrevRev, ev.PrevCreateRev, ev.PrevVersion = p.ModRevision, p.CreateRevision, p.Version
			}
			evs = append(evs, ev)
		}
	}
}
