package watch

import "strings"

// maxDiffLines bounds each side of a diff: the table is quadratic, and a longer value is better
// read whole than as a diff.
const maxDiffLines = 400

// diffLine is one line of a diff: ' ' kept, '-' only in the old value, '+' only in the new.
type diffLine struct {
	op   byte
	text string
}

// lineDiff compares old and new line by line (longest common subsequence). ok is false when a
// side has more than maxDiffLines lines.
func lineDiff(old, new string) (lines []diffLine, ok bool) {
	a, b := strings.Split(old, "\n"), strings.Split(new, "\n")
	if len(a) > maxDiffLines || len(b) > maxDiffLines {
		return nil, false
	}
	// lcs[i][j] is the common length of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			lines = append(lines, diffLine{' ', a[i]})
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			// Removals first on a tie, as diff -u orders a changed line.
			lines = append(lines, diffLine{'-', a[i]})
			i++
		default:
			lines = append(lines, diffLine{'+', b[j]})
			j++
		}
	}
	return lines, true
}
