package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// DefaultDefragWait is the pause between two members' defragments so the cluster settles (the
// health is checked again after it), in the console and `etcdeck defrag`.
const DefaultDefragWait = 5 * time.Second

// DefaultDefragTimeout bounds one member's defragment: far longer than --command-timeout,
// since a multi-gigabyte database takes minutes.
const DefaultDefragTimeout = 30 * time.Minute

// DefragOptions say what a defragment of the cluster does, as etcd-defrag's flags do.
type DefragOptions struct {
	// Rule decides which members need it (zero: every member).
	Rule DefragRule
	// Only limits the run to the member with this ID (0: every member).
	Only uint64
	// GivenOnly limits the run to the members answering at the session's endpoints (etcd-defrag
	// without --cluster); otherwise every member of the member list.
	GivenOnly bool
	// Compact first, to the current revision (etcd-defrag --compaction).
	Compact bool
	// DryRun reports the plan and each verdict, changing nothing.
	DryRun bool
	// ContinueOnError goes on to the next member when one fails.
	ContinueOnError bool
	// Wait between two members so the cluster settles (health is checked again after it).
	Wait time.Duration
	// Timeout of each member's defragment (0: only the caller's deadline); a large database
	// takes far longer than the command timeout.
	Timeout time.Duration
	// Step, when set, hears what the run does now ("defragmenting m1 (2 of 3)").
	Step func(string)
}

// DefragResult is what became of one member.
type DefragResult struct {
	DefragTarget
	After   MemberSizes   `json:"after"`
	Took    time.Duration `json:"took_ns"`
	Skipped string        `json:"skipped,omitempty"` // why it was left alone (rule, dry run)
	Err     error         `json:"-"`
	Error   string        `json:"error,omitempty"`
}

// DefragReport is a whole run: the rule, the compaction, each member in the order taken.
type DefragReport struct {
	Rule      string         `json:"rule"`
	Compacted int64          `json:"compacted_revision,omitempty"`
	Members   []DefragResult `json:"members"`
	DryRun    bool           `json:"dry_run,omitempty"`
}

// Failed counts the members whose defragment failed.
func (r DefragReport) Failed() int {
	n := 0
	for _, m := range r.Members {
		if m.Err != nil {
			n++
		}
	}
	return n
}

// DefragCluster defragments the members one at a time by the plan (DefragPlan: healthy first,
// followers first, the leader last), checking health again before each member after the first.
// Each defragment goes through the write gate (read-only refusal, audit line). The error is
// the first failure (ErrUnhealthy when the cluster is not healthy), or how many failed with
// ContinueOnError; the report holds what was done either way.
func (c *Client) DefragCluster(ctx context.Context, o DefragOptions) (DefragReport, error) {
	rep := DefragReport{Rule: o.Rule.String(), DryRun: o.DryRun}
	step := func(format string, args ...any) {
		if o.Step != nil {
			o.Step(fmt.Sprintf(format, args...))
		}
	}
	if !o.DryRun {
		// Refused (and audited) before the cluster is even asked.
		if err := c.CheckWrite("defragment", "", "every member"); err != nil {
			return rep, err
		}
	}
	step("checking every member's health")
	plan, err := c.DefragPlan(ctx, o.Rule)
	if err != nil {
		return rep, err
	}
	if o.Only != 0 {
		plan = onlyMember(plan, o.Only)
		if len(plan) == 0 {
			return rep, fmt.Errorf("member %x is not in the member list", o.Only)
		}
	}
	if o.GivenOnly {
		var given []DefragTarget
		for _, t := range plan {
			if t.Given {
				given = append(given, t)
			}
		}
		plan = given
		if len(plan) == 0 {
			return rep, errors.New("no member answers at the endpoints given (--cluster takes the member list)")
		}
	}
	if o.Compact && !o.DryRun {
		rev := plan[0].Revision
		step("compacting to revision %d", rev)
		if _, err := c.Compact(ctx, rev, true); err != nil && !IsCompacted(err) {
			return rep, fmt.Errorf("compact to revision %d: %w", rev, err)
		}
		rep.Compacted = rev
	}
	var failed []string
	done := 0
	for i, t := range plan {
		res := DefragResult{DefragTarget: t, After: t.Before}
		switch {
		case !t.Needs:
			res.Skipped = "rule: " + t.Verdict
		case o.DryRun:
			res.Skipped = "dry run"
		}
		if res.Skipped != "" {
			rep.Members = append(rep.Members, res)
			continue
		}
		if done > 0 {
			if o.Wait > 0 {
				step("waiting %s for the cluster to settle", o.Wait)
				select {
				case <-ctx.Done():
					return rep, ctx.Err()
				case <-time.After(o.Wait):
				}
			}
			step("checking every member's health")
			if err := c.CheckHealth(ctx); err != nil {
				return rep, err
			}
		}
		after := ""
		if rep.Compacted > 0 {
			after = " · once its compaction is done"
		}
		step("defragmenting %s (%d of %d) · %s%s", t.Label(), i+1, len(plan), FormatBytes(t.Before.DBSize), after)
		res = c.defragMember(ctx, t, o.Timeout, rep.Compacted)
		rep.Members = append(rep.Members, res)
		done++
		if res.Err != nil {
			if errors.Is(res.Err, ErrReadOnly) || !o.ContinueOnError {
				return rep, fmt.Errorf("%s: %w", t.Label(), res.Err)
			}
			failed = append(failed, t.Label())
		}
	}
	if len(failed) > 0 {
		return rep, fmt.Errorf("%d of %d members failed: %v", len(failed), len(plan), failed)
	}
	return rep, nil
}

// defragMember defragments one member through the write gate with its own timeout, and reads
// its sizes after; compacted is the revision DefragCluster compacted to first (0: none). Each member
// deletes the compacted revisions in the background once it applies the compaction, and only
// the member that served the compaction request was waited for: a member defragmented before
// it finished keeps its size (seen on a loaded machine: 5.1 MiB before, 5.3 MiB after, and the
// NOSPACE alarm back at once). So the member is first sent the same compaction: etcd answers
// that the revision is already compacted only once the member's earlier compaction is done (a
// barrier on its compaction queue), and nothing more is compacted.
func (c *Client) defragMember(ctx context.Context, t DefragTarget, timeout time.Duration, compacted int64) DefragResult {
	res := DefragResult{DefragTarget: t, After: t.Before}
	began := time.Now()
	e := AuditEntry{Action: "defragment", Target: EscapeText(t.Name) + " " + t.Endpoint}
	_, err := c.writeTimeout(ctx, timeout, e, func(ctx context.Context, _ *AuditEntry) (int64, error) {
		if compacted > 0 {
			if err := c.awaitCompaction(ctx, t.Endpoint, compacted); err != nil {
				return 0, err
			}
		}
		resp, err := c.c.Defragment(ctx, t.Endpoint)
		if err != nil {
			return 0, Explain(err)
		}
		return resp.Header.GetRevision(), nil
	})
	res.Took = time.Since(began)
	if err != nil {
		res.Err, res.Error = err, err.Error()
		return res
	}
	cctx, cancel := c.ctx(ctx)
	defer cancel()
	if st, err := c.c.Status(cctx, t.Endpoint); err == nil {
		res.After = sizesOf(st)
	}
	return res
}

// awaitCompaction returns once the member at ep has finished compacting to rev (see
// defragMember), on ep's kept connection.
func (c *Client) awaitCompaction(ctx context.Context, ep string, rev int64) error {
	sc, err := c.statusConns.get(c, ep)
	if err != nil {
		return err
	}
	_, err = sc.cli.Compact(ctx, rev, clientv3.WithCompactPhysical())
	if err != nil && !IsCompacted(err) {
		return fmt.Errorf("waiting for its compaction to revision %d: %w", rev, Explain(err))
	}
	return nil
}

func onlyMember(plan []DefragTarget, id uint64) []DefragTarget {
	for _, t := range plan {
		if t.ID == id {
			return []DefragTarget{t}
		}
	}
	return nil
}
