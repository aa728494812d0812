package backup_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/etcdeck/etcdeck/cluster/backup"
)

func TestBackupNameRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 25, 1, 2, 3, 0, time.FixedZone("CET", 3600))
	name := backup.Name(0xcdf818194e3a8c32, at, 4006)
	if name != "etcd-snapshot-cdf818194e3a8c32-20261125T000203Z-rev4006.db" {
		t.Fatalf("name = %s", name)
	}
	b, ok := backup.ParseName(name)
	if !ok || b.ClusterID != 0xcdf818194e3a8c32 || !b.Time.Equal(at) || b.Revision != 4006 {
		t.Fatalf("parsed %+v %v", b, ok)
	}
	for _, foreign := range []string{
		"etcd-snapshot-cdf818194e3a8c32-20261125T000203Z-rev4006.db.part",
		".etcdeck-partial-123.tmp",
		"etcd-snapshot-cdf818194e3a8c32-20261125T000203Z-rev4006.DB",
		"etcd-snapshot-CDF8-20261125T000203Z-rev4006.db",
		"etcd-snapshot-cdf8-20261125-rev4006.db",
		"etcd-snapshot-cdf8-20261399T000203Z-rev4006.db", // month 13
		"etcd-snapshot-11112222333344445-20261125T000203Z-rev1.db",
		"backup-2026-11-25.db",
		"etcd-snapshot-cdf8-20261125T000203Z-rev99999999999999999999.db",
	} {
		if _, ok := backup.ParseName(foreign); ok {
			t.Errorf("%s parsed as etcdeck's", foreign)
		}
	}
}

func TestRetention(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	const a, b = 0xaaaa, 0xbbbb
	days := func(d float64) time.Time { return now.Add(-time.Duration(d * 24 * float64(time.Hour))) }
	file := func(id uint64, t time.Time, rev int64) string { return backup.Name(id, t, rev) }
	tests := []struct {
		name  string
		files []string
		r     backup.Retention
		want  []string // deleted
	}{
		{"nothing old", []string{file(a, days(1), 10), file(a, days(2), 9)}, backup.Retention{Keep: 1, KeepDays: 30}, nil},
		{"old but among the newest N", []string{file(a, days(40), 10), file(a, days(50), 9)}, backup.Retention{Keep: 2, KeepDays: 30}, nil},
		{"old and beyond N", []string{file(a, days(1), 12), file(a, days(31), 11), file(a, days(40), 10)}, backup.Retention{Keep: 1, KeepDays: 30},
			[]string{file(a, days(31), 11), file(a, days(40), 10)}},
		{"beyond N but young", []string{file(a, days(1), 12), file(a, days(2), 11), file(a, days(3), 10)}, backup.Retention{Keep: 1, KeepDays: 30}, nil},
		{"exactly D days is not older", []string{file(a, days(0), 2), file(a, days(30), 1)}, backup.Retention{Keep: 1, KeepDays: 30}, nil},
		{"keep 0 still keeps the newest", []string{file(a, days(100), 2), file(a, days(200), 1)}, backup.Retention{Keep: 0, KeepDays: 0},
			[]string{file(a, days(200), 1)}},
		{"keep-days 0 deletes everything beyond N", []string{file(a, days(0.01), 3), file(a, days(0.02), 2), file(a, days(0.03), 1)}, backup.Retention{Keep: 2},
			[]string{file(a, days(0.03), 1)}},
		{"other clusters untouched", []string{file(a, days(1), 5), file(b, days(90), 4), file(b, days(91), 3), file(a, days(60), 2)}, backup.Retention{Keep: 1, KeepDays: 30},
			[]string{file(a, days(60), 2)}},
		{"order by the name's time, not by the list", []string{file(a, days(60), 1), file(a, days(45), 2), file(a, days(50), 3)}, backup.Retention{Keep: 1, KeepDays: 30},
			[]string{file(a, days(50), 3), file(a, days(60), 1)}},
		{"foreign names never", []string{"etcd-snapshot-backup.db", "snapshot.db", file(a, days(60), 1) + ".part", file(a, days(1), 2)}, backup.Retention{Keep: 1, KeepDays: 1}, nil},
		{"future files are young", []string{file(a, now.Add(48*time.Hour), 2), file(a, days(1), 1)}, backup.Retention{Keep: 1, KeepDays: 0},
			[]string{file(a, days(1), 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			deleted, err := backup.ApplyRetention(dir, a, tt.r, now, os.Remove)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range deleted {
				got = append(got, d.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("deleted %v\nwant    %v", got, tt.want)
			}
			left, _ := os.ReadDir(dir)
			if len(left) != len(tt.files)-len(tt.want) {
				t.Errorf("%d files left, want %d", len(left), len(tt.files)-len(tt.want))
			}
			for _, d := range tt.want {
				if _, err := os.Stat(filepath.Join(dir, d)); err == nil {
					t.Errorf("%s still there", d)
				}
			}
		})
	}
}

func TestListBackupsNewestFirst(t *testing.T) {
	dir := t.TempDir()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, d := range []int{3, 1, 2} {
		os.WriteFile(filepath.Join(dir, backup.Name(1, base.AddDate(0, 0, d), int64(i))), []byte("x"), 0o600)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o600)
	os.Mkdir(filepath.Join(dir, backup.Name(1, base.AddDate(1, 0, 0), 9)), 0o700) // a directory: skipped
	bs, err := backup.List(dir)
	if err != nil || len(bs) != 3 {
		t.Fatalf("%v %v", bs, err)
	}
	for i := 1; i < len(bs); i++ {
		if !bs[i-1].Time.After(bs[i].Time) {
			t.Errorf("not newest first: %v", bs)
		}
	}
	if bs[0].Size != 1 || bs[0].Path != filepath.Join(dir, bs[0].Name) {
		t.Errorf("first %+v", bs[0])
	}
	if none, err := backup.List(filepath.Join(dir, "missing")); err != nil || none != nil {
		t.Errorf("missing dir: %v %v", none, err)
	}
}

// TestDefaultRetention: the defaults are 10 files and 30 days, and changing the value one caller
// got does not change what the next caller gets.
func TestDefaultRetention(t *testing.T) {
	r := backup.DefaultRetention()
	if r != (backup.Retention{Keep: 10, KeepDays: 30}) {
		t.Fatalf("default retention %+v, want keep 10, keep-days 30", r)
	}
	r.Keep = 1
	if got := backup.DefaultRetention(); got.Keep != backup.DefaultKeep {
		t.Fatalf("a caller's change leaked into the default: %+v", got)
	}
}
