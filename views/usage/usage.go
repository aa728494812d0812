// Package usage is `:usage [PREFIX]`, a view-less panel (drawn in the root's overlay, which
// scrolls) answering "what fills the database?": from the newest backup of this cluster, read
// offline in a child process, the stored revisions, tombstones and bytes per prefix (old
// revisions included: what a compaction would free), largest first with a share bar, the
// revision range and the leases; from the cluster, per child of the prefix, the live keys and
// bytes of current values. With no backup of the cluster (or on s, for a current one) it offers
// to take a snapshot for the purpose, asked first (snapshot.go). A panel rather than a view: it
// is a report asked for now and then, not something to keep open beside the keys.
package usage

import (
	"context"
	"os"
	"path/filepath"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/cluster/backup"
	"github.com/etcdeck/etcdeck/embednode"
	"github.com/etcdeck/etcdeck/views/common"
)

// OpenMsg opens the panel on Prefix ("" for every key): `:usage [PREFIX]`.
type OpenMsg struct{ Prefix string }

// liveMsg is the live half's result; storedMsg the snapshot's. Both name the session and the
// request (gen) that produced them: an older request's result is dropped.
type liveMsg struct {
	sid, gen uint64
	rep      cluster.LiveUsageReport
	err      error
}

type storedMsg struct {
	sid, gen uint64
	file     backup.File
	u        embednode.Usage
	none     bool // no backup of this cluster in the directory
	err      error
	// With none: the member a snapshot would come from (its DB size is the size to expect), or
	// why none can be taken (read-only: the refusal is audited).
	offer offer
}

func (m liveMsg) ResultSession() uint64   { return m.sid }
func (m storedMsg) ResultSession() uint64 { return m.sid }

// Panel holds the last report asked for.
type Panel struct {
	common common.Common
	gen    uint64
	prefix string
	opened time.Time

	liveDone   bool
	live       cluster.LiveUsageReport
	liveErr    error
	storedDone bool
	stored     embednode.Usage
	file       backup.File
	noBackup   bool
	storedErr  error

	// snap is the snapshot taken for the purpose: the question, the task, what it said.
	snap snapshot
}

// New is an empty panel of session c.Session.
func New(c common.Common) Panel {
	c = c.Defaults()
	return Panel{common: c, snap: newSnapshot(c)}
}

// Open starts both halves for prefix; results of an earlier Open are dropped.
func (p *Panel) Open(prefix string) tea.Cmd {
	p.gen++
	*p = Panel{common: p.common, gen: p.gen, prefix: prefix, opened: time.Now(), snap: p.snap.reset(p.common)}
	sess := p.common.Session
	if sess == nil || sess.Client == nil {
		p.liveDone, p.storedDone, p.noBackup = true, true, true
		return nil
	}
	sid, gen, sep, dir := p.common.SessionID(), p.gen, p.common.Settings.Sep, p.common.Settings.BackupDir
	client, ctx := sess.Client, sess.Context()
	live := func() tea.Msg {
		rep, err := client.LiveUsage(ctx, prefix, sep, 1)
		return liveMsg{sid: sid, gen: gen, rep: rep, err: err}
	}
	stored := func() tea.Msg {
		msg := storedMsg{sid: sid, gen: gen}
		msg.file, msg.none, msg.err = newestBackup(ctx, client, dir)
		if msg.none && msg.err == nil {
			msg.offer = offerSnapshot(ctx, client, dir)
		}
		if msg.none || msg.err != nil {
			return msg
		}
		exe, err := os.Executable()
		if err != nil {
			msg.err = err
			return msg
		}
		msg.u, msg.err = embednode.UsageInChild(ctx, exe, msg.file.Path, embednode.UsageOptions{Prefix: prefix, Sep: sep})
		return msg
	}
	return tea.Batch(live, stored)
}

// newestBackup is the newest snapshot of the session's cluster in dir; none when there is none.
func newestBackup(ctx context.Context, c *cluster.Client, dir string) (backup.File, bool, error) {
	if dir == "" {
		return backup.File{}, true, nil
	}
	list, err := c.LocalMembers(ctx)
	if err != nil {
		return backup.File{}, false, err
	}
	files, err := backup.List(dir)
	if err != nil {
		return backup.File{}, false, err
	}
	for _, f := range files { // newest first
		if f.ClusterID == list.ClusterID {
			if f.Path == "" {
				f.Path = filepath.Join(dir, f.Name)
			}
			return f, false, nil
		}
	}
	return backup.File{}, true, nil
}

// Update takes the panel's results, answers and task reports; it reports whether msg was one,
// with what to do next.
func (p *Panel) Update(msg tea.Msg) (bool, tea.Cmd) {
	if ok, cmd := p.updateSnapshot(msg); ok {
		return true, cmd
	}
	switch msg := msg.(type) {
	case liveMsg:
		if msg.sid == p.common.SessionID() && msg.gen == p.gen {
			p.liveDone, p.live, p.liveErr = true, msg.rep, msg.err
		}
		return true, nil
	case storedMsg:
		if msg.sid == p.common.SessionID() && msg.gen == p.gen {
			p.storedDone, p.stored, p.file, p.noBackup, p.storedErr = true, msg.u, msg.file, msg.none, msg.err
			if msg.none {
				p.ask(msg.offer) // none to read: offer to take one, asked first
			}
		}
		return true, nil
	}
	return false, nil
}

// Loading is true while a half has not answered.
func (p *Panel) Loading() bool { return !p.liveDone || !p.storedDone }
