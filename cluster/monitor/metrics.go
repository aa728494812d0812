package monitor

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	neturl "net/url"
	"sort"
	"strings"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/etcdeck/etcdeck/cluster/member"
)

// DefaultMetricsInterval is how often /metrics is scraped: a page is ~175 KB.
const DefaultMetricsInterval = 15 * time.Second

// Histogram is a Prometheus histogram: cumulative bucket counts by upper bound, ascending.
type Histogram struct {
	Count   uint64
	Sum     float64
	Bounds  []float64
	Buckets []uint64
}

// Since is the histogram of the observations made after prev (the same series scraped earlier),
// so quantiles describe the last interval rather than the member's lifetime. A member restarted
// in between (counts went down) gives h unchanged.
func (h Histogram) Since(prev Histogram) Histogram {
	if prev.Count > h.Count || len(prev.Buckets) != len(h.Buckets) {
		return h
	}
	out := Histogram{Count: h.Count - prev.Count, Sum: h.Sum - prev.Sum, Bounds: h.Bounds,
		Buckets: make([]uint64, len(h.Buckets))}
	for i := range h.Buckets {
		if prev.Buckets[i] > h.Buckets[i] {
			return h
		}
		out.Buckets[i] = h.Buckets[i] - prev.Buckets[i]
	}
	return out
}

// Quantile estimates the q-quantile (0..1) in seconds the way Prometheus's histogram_quantile
// does: linear interpolation inside the bucket holding the rank. ok is false with no
// observations.
func (h Histogram) Quantile(q float64) (seconds float64, ok bool) {
	if h.Count == 0 || len(h.Buckets) == 0 || len(h.Bounds) != len(h.Buckets) {
		return 0, false
	}
	rank := q * float64(h.Count)
	for i, c := range h.Buckets {
		if float64(c) < rank {
			continue
		}
		lower, below := 0.0, uint64(0)
		if i > 0 {
			lower, below = h.Bounds[i-1], h.Buckets[i-1]
		}
		upper := h.Bounds[i]
		if math.IsInf(upper, 1) {
			return lower, true // Prometheus answers the highest finite bound
		}
		if c <= below { // empty, or a malformed page whose counts go down
			return upper, true
		}
		return lower + (upper-lower)*(rank-float64(below))/float64(c-below), true
	}
	return h.Bounds[len(h.Bounds)-1], true
}

// Metrics is what one scrape of a member's /metrics held that the Cluster view shows.
type Metrics struct {
	Member member.Info `json:"-"`
	URL    string      `json:"url"`
	Time   time.Time   `json:"time"`
	// Err says why the page could not be read ("metrics not reachable: …"); the rest is empty.
	Err string `json:"error,omitempty"`
	// PeerRTT is etcd_network_peer_round_trip_time_seconds by peer member ID (hex).
	PeerRTT           map[string]Histogram `json:"-"`
	WALFsync          Histogram            `json:"-"`
	BackendCommit     Histogram            `json:"-"`
	LeaderChanges     float64              `json:"leader_changes_seen"`
	HeartbeatFailures float64              `json:"heartbeat_send_failures"`
	ProposalsPending  float64              `json:"proposals_pending"`
	ProposalsFailed   float64              `json:"proposals_failed"`
	QuotaBytes        float64              `json:"quota_backend_bytes"`
}

// wanted are the metric families kept from a page; the rest is skipped before parsing.
var wanted = map[string]bool{
	"etcd_network_peer_round_trip_time_seconds": true,
	"etcd_disk_wal_fsync_duration_seconds":      true,
	"etcd_disk_backend_commit_duration_seconds": true,
	"etcd_server_leader_changes_seen_total":     true,
	"etcd_server_heartbeat_send_failures_total": true,
	"etcd_server_proposals_pending":             true,
	"etcd_server_proposals_failed_total":        true,
	"etcd_server_quota_backend_bytes":           true,
}

// ParseMetrics reads a Prometheus text page and keeps the families the Cluster view shows.
func ParseMetrics(r io.Reader) (Metrics, error) {
	// Keeping only the lines of wanted families makes parsing ~20x cheaper on etcd's page.
	var kept bytes.Buffer
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Bytes()
		name := line
		if bytes.HasPrefix(line, []byte("# ")) {
			f := bytes.Fields(line)
			if len(f) < 3 {
				continue
			}
			name = f[2]
		} else if i := bytes.IndexAny(line, "{ "); i >= 0 {
			name = line[:i]
		}
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if n, ok := bytes.CutSuffix(name, []byte(suffix)); ok && wanted[string(n)] {
				name = n
			}
		}
		if wanted[string(name)] {
			kept.Write(line)
			kept.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return Metrics{}, fmt.Errorf("read metrics: %w", err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(&kept)
	if err != nil {
		return Metrics{}, fmt.Errorf("parse metrics: %w", err)
	}
	m := Metrics{PeerRTT: map[string]Histogram{}}
	if f := fams["etcd_network_peer_round_trip_time_seconds"]; f != nil {
		for _, s := range f.GetMetric() {
			m.PeerRTT[label(s, "To")] = histogramOf(s)
		}
	}
	m.WALFsync = firstHistogram(fams["etcd_disk_wal_fsync_duration_seconds"])
	m.BackendCommit = firstHistogram(fams["etcd_disk_backend_commit_duration_seconds"])
	m.LeaderChanges = sumValues(fams["etcd_server_leader_changes_seen_total"])
	m.HeartbeatFailures = sumValues(fams["etcd_server_heartbeat_send_failures_total"])
	m.ProposalsPending = sumValues(fams["etcd_server_proposals_pending"])
	m.ProposalsFailed = sumValues(fams["etcd_server_proposals_failed_total"])
	m.QuotaBytes = sumValues(fams["etcd_server_quota_backend_bytes"])
	return m, nil
}

func label(s *dto.Metric, name string) string {
	for _, l := range s.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func histogramOf(s *dto.Metric) Histogram {
	h := s.GetHistogram()
	out := Histogram{Count: h.GetSampleCount(), Sum: h.GetSampleSum()}
	for _, b := range h.GetBucket() {
		out.Bounds = append(out.Bounds, b.GetUpperBound())
		out.Buckets = append(out.Buckets, b.GetCumulativeCount())
	}
	if len(out.Bounds) == 0 || !math.IsInf(out.Bounds[len(out.Bounds)-1], 1) {
		// The +Inf bucket is implicit in the text format: it holds every observation.
		out.Bounds = append(out.Bounds, math.Inf(1))
		out.Buckets = append(out.Buckets, out.Count)
	}
	return out
}

func firstHistogram(f *dto.MetricFamily) Histogram {
	if f == nil || len(f.GetMetric()) == 0 {
		return Histogram{}
	}
	return histogramOf(f.GetMetric()[0])
}

func sumValues(f *dto.MetricFamily) float64 {
	var v float64
	for _, s := range f.GetMetric() {
		switch {
		case s.GetCounter() != nil:
			v += s.GetCounter().GetValue()
		case s.GetGauge() != nil:
			v += s.GetGauge().GetValue()
		case s.GetUntyped() != nil:
			v += s.GetUntyped().GetValue()
		}
	}
	return v
}

// Scrape fetches /metrics from every member's client URL concurrently (over TLS with the
// session's certificates when it uses TLS), each within timeout. The error is for the member
// list only; a member whose page cannot be read has Err set.
func (m *Monitor) Scrape(ctx context.Context, timeout time.Duration) ([]Metrics, error) {
	list, err := m.knownMembers(ctx, timeout)
	if err != nil {
		return nil, err
	}
	out := make([]Metrics, len(list))
	var wg sync.WaitGroup
	for i, mm := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = m.scrapeOne(ctx, mm, timeout)
		}()
	}
	wg.Wait()
	return out, nil
}

func (m *Monitor) scrapeOne(ctx context.Context, mm member.Info, timeout time.Duration) Metrics {
	url := m.url(mm)
	res := Metrics{Member: mm, URL: url, Time: time.Now()}
	if url == "" {
		res.Err = "metrics not reachable: the member has no client URL"
		return res
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(url, "/")+"/metrics", nil)
	if err != nil {
		res.Err = "metrics not reachable: " + err.Error()
		return res
	}
	resp, err := m.http.Do(req)
	if err != nil {
		// The URL is on the line already; url.Error would repeat it.
		var ue *neturl.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		res.Err = "metrics not reachable: " + err.Error()
		return res
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		res.Err = fmt.Sprintf("metrics not reachable: %s answered %s", url+"/metrics", resp.Status)
		return res
	}
	parsed, err := ParseMetrics(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		res.Err = "metrics not reachable: " + err.Error()
		return res
	}
	parsed.Member, parsed.URL, parsed.Time = mm, url, res.Time
	return parsed
}

// PeerIDs returns the peers of PeerRTT in order, for stable display.
func (m Metrics) PeerIDs() []string {
	ids := make([]string, 0, len(m.PeerRTT))
	for id := range m.PeerRTT {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
