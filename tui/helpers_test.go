package tui

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/etcdeck/etcdeck/cluster"
	"github.com/etcdeck/etcdeck/config"
	"github.com/etcdeck/etcdeck/views/common/viewtest"
)

// testEnv is what a test builds the root model from. Without a session nothing talks to etcd;
// label and member then stand in for what a session would hold.
type testEnv struct {
	settings *config.Settings
	session  *cluster.Session
	label    string
	member   cluster.Member
}

// testConfig is the default settings naming 127.0.0.1:2379, no session, and the embedded
// member's label; the environment (NO_COLOR…) plays no part.
func testConfig() testEnv {
	s := config.Defaults()
	s.Conn.Endpoints = []string{"127.0.0.1:2379"}
	return testEnv{settings: s, label: "embedded 127.0.0.1:2379"}
}

// newTestModel is the root model around shellViews, with fixed content.
func newTestModel(t *testing.T, env testEnv) *Model {
	t.Helper()
	return withEnv(t, env, newShellModel)
}

// withEnv builds the root model with build and puts in the label and member env stands in for.
func withEnv(t *testing.T, env testEnv, build func(*config.Settings, *cluster.Session) (*Model, error)) *Model {
	t.Helper()
	m, err := build(env.settings, env.session)
	if err != nil {
		t.Fatal(err)
	}
	if env.session == nil && env.label != "" {
		m.status.label = env.label
	}
	if env.member != nil {
		m.member = env.member
	}
	return m
}

// testSession connects to mem and returns the session, ended when the test ends.
func testSession(t *testing.T, endpoints []string, opts ...cluster.Option) *cluster.Session {
	t.Helper()
	return viewtest.SessionOf(t, cluster.ConnConfig{Endpoints: endpoints, InsecureTransport: true}, "", nil, opts...)
}

// newRealModel is the root model around the real views with no connection: they render what
// they hold without etcd, and the help is theirs.
func newRealModel(t *testing.T, env testEnv) *Model {
	t.Helper()
	return withEnv(t, env, func(s *config.Settings, sess *cluster.Session) (*Model, error) { return New(s, sess, nil) })
}

// asciiScreen renders the frame with the ASCII colour profile: colours dropped, attributes
// (bold, reverse) kept, so goldens are stable across terminals.
func asciiScreen(t *testing.T, m *Model) string {
	t.Helper()
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: colorprofile.Ascii}
	if _, err := w.WriteString(m.render()); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// snapshot is what a flow test can observe of the model after an Update.
type snapshot struct {
	active   int
	help     bool
	cmdOpen  bool
	cmdValue string
	keysPath string
	screen   string // plain text, no escape sequences
}

// probe wraps the root model in a teatest program and publishes a snapshot after every Update,
// so tests wait for a state instead of sleeping or parsing the renderer's byte stream.
type probe struct {
	*Model
	mu   *sync.Mutex
	last *snapshot
}

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.Model.Update(msg)
	s := snapshot{
		active: p.active, help: p.showHelp, cmdOpen: p.cmd.prompt.Active(),
		cmdValue: p.cmd.prompt.Value(), screen: ansi.Strip(p.render()),
	}
	if k, ok := p.views[viewKeys].(interface{ Path() string }); ok {
		s.keysPath = k.Path()
	}
	p.mu.Lock()
	*p.last = s
	p.mu.Unlock()
	return p, cmd
}

type flow struct {
	t  *testing.T
	tm *teatest.TestModel
	p  probe
}

func startFlow(t *testing.T, m *Model, w, h int) *flow {
	t.Helper()
	p := probe{Model: m, mu: &sync.Mutex{}, last: &snapshot{}}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(w, h))
	f := &flow{t: t, tm: tm, p: p}
	f.waitFor("first frame", func(s snapshot) bool { return s.screen != "" })
	return f
}

func (f *flow) keys(ks ...string) {
	for _, k := range ks {
		f.tm.Send(viewtest.Key(k))
	}
}

func (f *flow) typeText(s string) { f.tm.Type(s) }

func (f *flow) snap() snapshot {
	f.p.mu.Lock()
	defer f.p.mu.Unlock()
	return *f.p.last
}

// waitFor polls the published snapshot until cond holds, failing after a few seconds with the
// screen as it was.
func (f *flow) waitFor(what string, cond func(snapshot) bool) snapshot {
	f.t.Helper()
	// Generous: conditions come from real members and polls, on a loaded 2-core machine too.
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := f.snap()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("timed out waiting for %s; screen:\n%s", what, s.screen)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *flow) waitText(text string) snapshot {
	f.t.Helper()
	return f.waitFor("text "+text, func(s snapshot) bool { return strings.Contains(s.screen, text) })
}

// quit quits through the program and waits until it ended.
func (f *flow) quit() {
	f.t.Helper()
	_ = f.tm.Quit()
	f.tm.WaitFinished(f.t, teatest.WithFinalTimeout(5*time.Second))
}

func splitLines(s string) []string { return strings.Split(s, "\n") }

func displayWidth(s string) int { return ansi.StringWidth(s) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }
