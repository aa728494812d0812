package cluster

import (
	"context"
	"fmt"
	"strconv"

	pb "go.etcd.io/etcd/api/v3/etcdserverpb"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// Maintenance calls change the cluster as a whole rather than a key; they go through the same
// gate as the key writes (read-only refusal, command timeout, audit line).

// Alarm is one raised alarm: the member that raised it and its kind (NOSPACE, CORRUPT).
type Alarm struct {
	MemberID uint64
	Kind     string
}

// Defragment defragments the member at endpoint (one of Endpoints()), which blocks its reads
// and writes meanwhile; the command timeout applies, so large databases need a longer
// --command-timeout, as with etcdctl.
func (c *Client) Defragment(ctx context.Context, endpoint string) error {
	_, err := c.write(ctx, AuditEntry{Action: "defragment", Target: endpoint}, func(ctx context.Context, _ *AuditEntry) (int64, error) {
		resp, err := c.c.Defragment(ctx, endpoint)
		if err != nil {
			return 0, Explain(err)
		}
		return resp.Header.GetRevision(), nil
	})
	return err
}

// Compact discards the history before rev (0: the current revision); physical waits until the
// space is reclaimed in the backend. It returns the revision compacted to. A physical compaction
// is bounded by DefaultDefragTimeout, not --command-timeout: etcd deletes the revisions 1,000 at
// a time with a pause between batches, so millions of them take minutes (ctx still cancels it).
func (c *Client) Compact(ctx context.Context, rev int64, physical bool) (int64, error) {
	e := AuditEntry{Action: "compact", Target: "revision " + strconv.FormatInt(rev, 10)}
	if rev <= 0 {
		e.Target = "the current revision"
	}
	timeout := c.conf.CommandTimeout
	if physical {
		timeout = DefaultDefragTimeout
	}
	_, err := c.writeTimeout(ctx, timeout, e, func(ctx context.Context, e *AuditEntry) (int64, error) {
		if rev <= 0 {
			resp, err := c.c.Get(ctx, "compact", clientv3.WithCountOnly())
			if err != nil {
				return 0, Explain(err)
			}
			rev = resp.Header.GetRevision()
			e.Target = "revision " + strconv.FormatInt(rev, 10)
		}
		var opts []clientv3.CompactOption
		if physical {
			opts = append(opts, clientv3.WithCompactPhysical())
		}
		resp, err := c.c.Compact(ctx, rev, opts...)
		if err != nil {
			return 0, Explain(err)
		}
		return resp.Header.GetRevision(), nil
	})
	return rev, err
}

// Alarms lists the alarms raised in the cluster (a read: allowed in read-only mode).
func (c *Client) Alarms(ctx context.Context) ([]Alarm, error) {
	ctx, cancel := c.ctx(ctx)
	defer cancel()
	resp, err := c.c.AlarmList(ctx)
	if err != nil {
		return nil, Explain(err)
	}
	return toAlarms(resp.Alarms), nil
}

// AlarmDisarm disarms every raised alarm (after the cause is dealt with: NOSPACE wants a compact
// and a defragment first) and returns the ones disarmed.
func (c *Client) AlarmDisarm(ctx context.Context) ([]Alarm, error) { return c.DisarmAlarms(ctx, "") }

// DisarmAlarms disarms the raised alarms of kind ("NOSPACE"; "" every kind) one by one and
// returns the ones disarmed; none raised is not an error.
func (c *Client) DisarmAlarms(ctx context.Context, kind string) ([]Alarm, error) {
	var out []Alarm
	target := "all alarms"
	if kind != "" {
		target = kind + " alarms"
	}
	_, err := c.write(ctx, AuditEntry{Action: "alarm-disarm", Target: target}, func(ctx context.Context, e *AuditEntry) (int64, error) {
		list, err := c.c.AlarmList(ctx)
		if err != nil {
			return 0, Explain(err)
		}
		rev := list.Header.GetRevision()
		for _, a := range list.Alarms {
			if kind != "" && a.Alarm.String() != kind {
				continue
			}
			resp, err := c.c.AlarmDisarm(ctx, &clientv3.AlarmMember{MemberID: a.MemberID, Alarm: a.Alarm})
			if err != nil {
				e.Target = fmt.Sprintf("%d alarm(s) of %s", len(out), target)
				return 0, Explain(err)
			}
			out = append(out, Alarm{MemberID: a.MemberID, Kind: a.Alarm.String()})
			rev = resp.Header.GetRevision()
		}
		e.Target = fmt.Sprintf("%d alarm(s)", len(out))
		return rev, nil
	})
	return out, err
}

func toAlarms(in []*pb.AlarmMember) []Alarm {
	out := make([]Alarm, 0, len(in))
	for _, a := range in {
		out = append(out, Alarm{MemberID: a.MemberID, Kind: a.Alarm.String()})
	}
	return out
}
