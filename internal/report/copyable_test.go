package report

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// joinCommand undoes CommandLines: continuation lines joined, indents
// dropped.
func joinCommand(lines []string) string {
	var words []string
	for _, l := range lines {
		words = append(words, strings.Fields(strings.TrimSuffix(strings.TrimSpace(l), `\`))...)
	}
	return strings.Join(words, " ")
}

// TestCopyableTextIsNeverCut: key IDs, paths and cancel commands are what
// people copy; at any width each stays whole on a line (commands broken
// only between arguments, with shell line continuations).
func TestCopyableTextIsNeverCut(t *testing.T) {
	r := destroyResult()
	r.JournalPath = "/home/basis.administrator/.local/state/hanavault/111122223333/PRD/archive/20261206T033330.136Z"
	cmd := r.KeyDeletions[0].CancelHint
	for _, w := range []int{40, 60, 80, 120} {
		out := RenderResult(r, "destroy", PlainTheme(), w)
		lines := strings.Split(out, "\n")
		for _, whole := range []string{r.JournalPath, r.KeyDeletions[0].KeyID} {
			found := false
			for _, l := range lines {
				found = found || strings.Contains(l, whole)
			}
			if !found {
				t.Errorf("width %d: %q is not whole on any line:\n%s", w, whole, out)
			}
		}
		var cmdLines []string
		for i, l := range lines {
			if strings.Contains(l, "aws kms cancel-key-deletion") {
				cmdLines = append(cmdLines, l)
				for j := i + 1; strings.HasSuffix(lines[j-1], `\`); j++ {
					cmdLines = append(cmdLines, lines[j])
				}
			}
		}
		if got := joinCommand(cmdLines); got != cmd {
			t.Errorf("width %d: the cancel command reads %q, want %q:\n%s", w, got, cmd, out)
		}
		for _, l := range cmdLines {
			if ansi.StringWidth(l) > w && len(strings.Fields(l)) > 3 { // a flag, its value and \ may not fit
				t.Errorf("width %d: command line wider than the page: %q", w, l)
			}
		}
	}
}

func TestCommandLines(t *testing.T) {
	cmd := "aws kms cancel-key-deletion --region eu-central-1 --key-id 1234abcd-12ab-34cd-56ef-1234567890ab && aws kms enable-key --region eu-central-1 --key-id 1234abcd-12ab-34cd-56ef-1234567890ab"
	got := CommandLines(cmd, "  ", 60)
	want := []string{
		`  aws kms cancel-key-deletion --region eu-central-1 \`,
		`    --key-id 1234abcd-12ab-34cd-56ef-1234567890ab \`,
		`    && aws kms enable-key --region eu-central-1 \`,
		`    --key-id 1234abcd-12ab-34cd-56ef-1234567890ab`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("CommandLines at 60:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := CommandLines("hanavault status PRD", "", 80); len(got) != 1 || got[0] != "hanavault status PRD" {
		t.Errorf("a short command was broken: %q", got)
	}
}

// TestCallerARNIsWholeOrInWords: the plan and the destroy preview name the
// caller by its ARN where the line holds it, else in words (role and
// session, each whole); a wizard viewport cuts what is wider than it, so
// a cut ARN would reach the screen.
func TestCallerARNIsWholeOrInWords(t *testing.T) {
	const arn = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_5e1f0c2a9b7d3e41/basis.admin"
	p, d := freshPlan(), preview()
	p.Identity.Arn, d.Identity.Arn = arn, arn
	for _, w := range []int{60, 80, 100, 140} {
		for name, out := range map[string]string{"plan": RenderPlan(p, landscape(), PlainTheme(), w), "destroy preview": RenderDestroyPreview(d, PlainTheme(), w)} {
			whole := strings.Contains(out, "Signed in as "+arn)
			for _, l := range strings.Split(out, "\n") {
				if (strings.Contains(l, "Signed in") || strings.Contains(l, "arn:aws:sts")) && ansi.StringWidth(l) > w {
					t.Errorf("%s at width %d: line wider than the page: %q", name, w, l)
				}
				if strings.Contains(l, "arn:aws:sts") && !strings.Contains(l, arn) {
					t.Errorf("%s at width %d: ARN cut: %q", name, w, l)
				}
			}
			if fits := len("Signed in as "+arn) <= w; whole != fits {
				t.Errorf("%s at width %d: ARN whole %v, fits %v:\n%s", name, w, whole, fits, out)
			}
			if !whole && !strings.Contains(strings.Join(strings.Fields(out), " "), "Signed in as role AWSReservedSSO_AdministratorAccess_5e1f0c2a9b7d3e41 · session basis.admin") {
				t.Errorf("%s at width %d: caller not named in words:\n%s", name, w, out)
			}
		}
	}
}
