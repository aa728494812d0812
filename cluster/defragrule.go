package cluster

import (
	"fmt"
	"strings"
)

// DefragRule decides whether a member needs a defragment, as ahrtr/etcd-defrag's --defrag-rule
// does: free space (dbSize - dbSizeInUse) above FreeBytes, or the database above QuotaShare of
// its quota. The zero rule defragments every member, as etcd-defrag does without a rule.
type DefragRule struct {
	// FreeBytes: a member whose free space is above it needs a defragment (0: not this test).
	FreeBytes int64
	// QuotaShare, 0 to 1: a member whose database is above this share of its quota needs one
	// (0: not this test).
	QuotaShare float64
}

// MemberSizes are a member's database figures from its Status.
type MemberSizes struct {
	DBSize int64 `json:"db_size"`
	InUse  int64 `json:"db_size_in_use"`
	Quota  int64 `json:"db_size_quota"`
}

// Free is the space a defragment would give back.
func (s MemberSizes) Free() int64 { return max(0, s.DBSize-s.InUse) }

// String is "12.0 MiB (in use 3.1 MiB)".
func (s MemberSizes) String() string {
	return fmt.Sprintf("%s (in use %s)", FormatBytes(s.DBSize), FormatBytes(s.InUse))
}

// IsZero is true for the rule that takes every member.
func (r DefragRule) IsZero() bool { return r.FreeBytes <= 0 && r.QuotaShare <= 0 }

// String says the rule in words, for the plan and the headless report.
func (r DefragRule) String() string {
	if r.IsZero() {
		return "no rule: every member"
	}
	var parts []string
	if r.FreeBytes > 0 {
		parts = append(parts, "free space above "+FormatBytes(r.FreeBytes))
	}
	if r.QuotaShare > 0 {
		parts = append(parts, fmt.Sprintf("database above %.0f%% of the quota", r.QuotaShare*100))
	}
	return strings.Join(parts, " or ")
}

// Verdict says whether a member of sizes s needs a defragment under the rule, and why.
func (r DefragRule) Verdict(s MemberSizes) (bool, string) {
	if r.IsZero() {
		return true, "no rule"
	}
	free := s.Free()
	if r.FreeBytes > 0 && free > r.FreeBytes {
		return true, fmt.Sprintf("free %s > %s", FormatBytes(free), FormatBytes(r.FreeBytes))
	}
	if r.QuotaShare > 0 && s.Quota > 0 && float64(s.DBSize) > r.QuotaShare*float64(s.Quota) {
		return true, fmt.Sprintf("db %s > %.0f%% of quota %s", FormatBytes(s.DBSize), r.QuotaShare*100, FormatBytes(s.Quota))
	}
	why := []string{}
	if r.FreeBytes > 0 {
		why = append(why, fmt.Sprintf("free %s ≤ %s", FormatBytes(free), FormatBytes(r.FreeBytes)))
	}
	if r.QuotaShare > 0 {
		why = append(why, fmt.Sprintf("db %s ≤ %.0f%% of quota", FormatBytes(s.DBSize), r.QuotaShare*100))
	}
	return false, strings.Join(why, ", ")
}
