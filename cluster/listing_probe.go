package cluster

// ProbeMin is the number of keys from which a directory opened with no names known is worth a
// small sibling's listing first, for names (ProbeSibling).
const ProbeMin = 65536

// ProbeSibling picks, among the rows of a directory, the sibling to list before opening its
// child directory named child when no names of child are known: the smallest sibling directory
// holding between a hundredth and a quarter of child's keys. Its children's names become the
// hints of child's listing (ListOptions.Hints). In Kubernetes every namespaced resource is a
// directory of the same namespaces, so /registry/leases/ (~4,000 keys) names the 200 children of
// /registry/events/ (~200,000): on etcd 3.4 the first listing of a directory whose names share a
// long prefix costs two counts of it or more, and about one with names. Elsewhere the names are
// wrong and cost a listing of at most a quarter of child's keys (usually a few hundredths) and
// two operations each. false when child is smaller than ProbeMin, its count is unknown, or no
// sibling fits (a name may be empty). min is ProbeMin but in tests.
func ProbeSibling(rows []Row, child string, min int64) (string, bool) {
	var size int64 = -1
	for _, r := range rows {
		if r.Name == child && r.Dir {
			size = r.Count
		}
	}
	if size < min {
		return "", false
	}
	best, bestCount := "", int64(-1)
	for _, r := range rows {
		if !r.Dir || r.Name == child || r.Count < max(size/100, 1) || r.Count > size/4 {
			continue
		}
		if bestCount < 0 || r.Count < bestCount {
			best, bestCount = r.Name, r.Count
		}
	}
	return best, bestCount >= 0
}

// DirNames are the names of the directory rows among rows: what a listing tells of the
// children a sibling may share (leaves are left out: a window per leaf saves nothing).
func DirNames(rows []Row) []string {
	var names []string
	for _, r := range rows {
		if r.Dir {
			names = append(names, r.Name)
		}
	}
	return names
}
