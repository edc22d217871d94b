package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// DefaultWidth is the width used when the caller passes 0 (not a terminal).
const DefaultWidth = 80

// minWidth keeps very narrow terminals readable: below it lines overflow
// rather than wrap one word per line.
const minWidth = 40

// page accumulates wrapped lines of one rendered document.
type page struct {
	b     strings.Builder
	width int
	blank bool // the last line written was empty (or nothing was written)
}

func newPage(width int) *page {
	if width <= 0 {
		width = DefaultWidth
	}
	if width < minWidth {
		width = minWidth
	}
	return &page{width: width, blank: true}
}

// gap writes one empty line unless the page is empty or already ends with one.
func (p *page) gap() {
	if p.blank {
		return
	}
	p.b.WriteByte('\n')
	p.blank = true
}

// raw writes s as a line without wrapping.
func (p *page) raw(s string) {
	p.b.WriteString(s)
	p.b.WriteByte('\n')
	p.blank = s == ""
}

// text writes text wrapped to the page width: the first line starts with
// prefix, the following lines with cont.
func (p *page) text(prefix, cont, text string) {
	avail := p.width - max(ansi.StringWidth(prefix), ansi.StringWidth(cont))
	for i, l := range wrapLines(text, avail) {
		if i == 0 {
			p.raw(strings.TrimRight(prefix+l, " "))
		} else {
			p.raw(strings.TrimRight(cont+l, " "))
		}
	}
}

// item writes a hanging-indent item: prefix (e.g. "  + ") then text, whose
// continuation lines line up under the text.
func (p *page) item(prefix, text string) {
	p.text(prefix, strings.Repeat(" ", ansi.StringWidth(prefix)), text)
}

func (p *page) String() string { return p.b.String() }

// wrapLines breaks text into lines of at most limit cells. It breaks only
// at spaces and never inside a word: names, ARNs, key IDs and paths stay
// whole so they can be copied, and a word longer than a line stands alone
// on a line of its own, wider than the limit. Explicit newlines are kept.
// ANSI styles are carried across the breaks so every line is styled on its
// own.
func wrapLines(text string, limit int) []string {
	if limit < 10 {
		limit = 10
	}
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		var cur string
		curW := -1 // -1: nothing on the line yet
		for _, w := range strings.Split(para, " ") {
			ww := ansi.StringWidth(w)
			switch {
			case curW < 0:
			case curW+1+ww <= limit:
				cur += " " + w
				curW += 1 + ww
				continue
			default:
				lines = append(lines, cur)
			}
			cur, curW = w, ww
		}
		lines = append(lines, cur)
	}
	if strings.Contains(text, "\x1b") {
		// Close and reopen styles at each break so a prefix added before a
		// line is not painted and each line stands alone.
		return strings.Split(lipgloss.Wrap(strings.Join(lines, "\n"), 1<<20, ""), "\n")
	}
	return lines
}

// The parts of a landscape, as step IDs start ("source/bucket/versioning").
const (
	sideSource  = "source"
	sideReplica = "replica"
	sideGlobal  = "global"
)

// side is one part of a landscape in the renderers' order.
type side struct {
	key    string // source | replica | global | other
	region string
}

// sideOf tells which part of the landscape a step belongs to, from its ID
// ("source/bucket/versioning") or, failing that, from its region.
func sideOf(id, region, srcRegion, dstRegion string) side {
	prefix, _, _ := strings.Cut(id, "/")
	switch prefix {
	case sideSource, sideReplica:
		return side{key: prefix, region: region}
	case sideGlobal:
		return side{key: sideGlobal, region: sideGlobal}
	}
	switch {
	case region == sideGlobal:
		return side{key: sideGlobal, region: sideGlobal}
	case region != "" && region == srcRegion:
		return side{key: sideSource, region: region}
	case region != "" && region == dstRegion:
		return side{key: sideReplica, region: region}
	}
	return side{key: "other", region: region}
}

func (s side) rank() int {
	switch s.key {
	case sideSource:
		return 0
	case sideReplica:
		return 1
	case sideGlobal:
		return 2
	}
	return 3
}

// heading names the side for people.
func (s side) heading() string {
	switch s.key {
	case sideSource:
		return fmt.Sprintf("Source region (%s)", s.region)
	case sideReplica:
		return fmt.Sprintf("Replication region (%s)", s.region)
	case sideGlobal:
		return "Global (IAM)"
	}
	if s.region == "" {
		return "Other"
	}
	return fmt.Sprintf("Region %s", s.region)
}

// entry is one step as the grouping sees it.
type entry struct {
	id, region, component, resource string
	index                           int // position in the caller's slice
}

// resourceGroup is the steps of one resource, in input order.
type resourceGroup struct {
	component, resource string
	indexes             []int
}

// sideGroup is the resources of one side, in order of first appearance.
type sideGroup struct {
	side      side
	resources []*resourceGroup
}

// group sorts entries into sides (source, replica, global, others) and,
// inside each, into resources in the order the engine listed them.
func group(entries []entry, srcRegion, dstRegion string) []*sideGroup {
	var sides []*sideGroup
	bySide := map[side]*sideGroup{}
	byRes := map[string]*resourceGroup{}
	for _, e := range entries {
		sd := sideOf(e.id, e.region, srcRegion, dstRegion)
		sg := bySide[sd]
		if sg == nil {
			sg = &sideGroup{side: sd}
			bySide[sd] = sg
			sides = append(sides, sg)
		}
		k := sd.key + "\x00" + sd.region + "\x00" + e.component + "\x00" + e.resource
		rg := byRes[k]
		if rg == nil {
			rg = &resourceGroup{component: e.component, resource: e.resource}
			byRes[k] = rg
			sg.resources = append(sg.resources, rg)
		}
		rg.indexes = append(rg.indexes, e.index)
	}
	sort.SliceStable(sides, func(i, j int) bool { return sides[i].side.rank() < sides[j].side.rank() })
	return sides
}

// sections writes entries grouped by side and resource (see group), each
// under its headings, calling item with the index of every entry in turn.
func (p *page) sections(th Theme, entries []entry, srcRegion, dstRegion string, item func(index int)) {
	for _, sg := range group(entries, srcRegion, dstRegion) {
		p.gap()
		p.text("", "", th.paint(th.Heading, sg.side.heading()))
		for _, rg := range sg.resources {
			p.text("  ", "    ", resourceHeading(th, rg))
			for _, i := range rg.indexes {
				item(i)
			}
		}
	}
}

// componentLabel names a component for people. It accepts the component
// names the engine tags resources with and their short forms.
func componentLabel(c string) string {
	switch c {
	case "backup-key", "key":
		return "KMS key"
	case "backup-bucket", "bucket":
		return "Backup bucket"
	case "log-bucket":
		return "Log bucket"
	case "replication-role", "role":
		return "Replication role"
	case "replication":
		return "Replication from"
	case "":
		return "Resource"
	}
	return c
}

func resourceHeading(th Theme, rg *resourceGroup) string {
	if rg.resource == "" {
		return th.paint(th.Label, componentLabel(rg.component))
	}
	return th.paint(th.Label, componentLabel(rg.component)+" "+rg.resource)
}

// plural returns "1 version" / "2 versions".
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return groupThousands(n) + " " + many
}

// groupThousands formats n with comma separators: 1234567 → "1,234,567".
func groupThousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// HumanBytes formats a byte count in binary units: 0 B, 512 B, 1.5 KiB,
// 3.4 GiB.
func HumanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v := float64(n) / unit
	i := 0
	for v >= unit && i < len(units)-1 {
		v /= unit
		i++
	}
	if v >= 100 {
		return fmt.Sprintf("%.0f %s", v, units[i])
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}

// HumanDuration formats an elapsed time: 0.4s, 12.3s, 1m23s, 1h2m3s.
func HumanDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// CommandLines lays out a shell command for people to copy: it is never
// cut inside a word. When indent plus the command is wider than width, it
// is broken between arguments with a trailing " \" (the shell's line
// continuation) and continued two columns further in, so the lines copied
// together still run as one command. "&&" starts a continuation line.
func CommandLines(cmd, indent string, width int) []string {
	if width <= 0 {
		width = DefaultWidth
	}
	if ansi.StringWidth(indent+cmd) <= width {
		return []string{indent + cmd}
	}
	cont := indent + "  "
	var lines []string
	cur := indent
	first := true // nothing but the indent on cur yet
	for _, w := range commandUnits(cmd) {
		switch {
		case first:
			cur += w
			first = false
			continue
		case !strings.HasPrefix(w, "&& ") && ansi.StringWidth(cur+" "+w+" \\") <= width:
			cur += " " + w
			continue
		}
		lines = append(lines, cur+" \\")
		cur = cont + w
	}
	return append(lines, cur)
}

// commandUnits splits a command into the pieces a line may break
// between: a flag stays with its value ("--key-id 1234…"), and "&&" with
// the word after it.
func commandUnits(cmd string) []string {
	words := strings.Fields(cmd)
	var units []string
	for i := 0; i < len(words); i++ {
		u := words[i]
		if (u == "&&" || strings.HasPrefix(u, "-")) && i+1 < len(words) && !strings.HasPrefix(words[i+1], "-") && words[i+1] != "&&" {
			i++
			u += " " + words[i]
		}
		units = append(units, u)
	}
	return units
}

// command writes a shell command on lines of its own (CommandLines),
// each painted as a command.
func (p *page) command(indent, cmd string, th Theme) {
	for _, l := range CommandLines(cmd, indent, p.width) {
		p.raw(th.paint(th.Key, l))
	}
}

// labelled writes "label value" when it fits, else the label and then
// the value on a line of its own: for paths and IDs, which are never cut.
func (p *page) labelled(label, indent, value string) {
	if ansi.StringWidth(label+" "+value) <= p.width {
		p.raw(label + " " + value)
		return
	}
	p.raw(label)
	p.raw(indent + value)
}

// Wrap wraps text to width cells at spaces, never inside a word (see
// wrapLines): the wizard wraps its prose with it, so names, paths and
// commands stay whole there too.
func Wrap(text string, width int) string {
	return strings.Join(wrapLines(text, width), "\n")
}

// CallerWords is the caller's ARN when it fits in width, else what it
// names in words ("role X, session Y"), so no name is cut.
func CallerWords(arn string, width int) string {
	if ansi.StringWidth(arn) <= width {
		return arn
	}
	parts := strings.Split(arn, ":")
	if len(parts) < 6 {
		return arn
	}
	res := strings.Split(parts[5], "/")
	switch {
	case res[0] == "assumed-role" && len(res) >= 3:
		return "role " + res[1] + " · session " + strings.Join(res[2:], "/")
	case res[0] == "user" && len(res) >= 2:
		return "user " + res[len(res)-1]
	case res[0] == "role" && len(res) >= 2:
		return "role " + res[len(res)-1]
	}
	return arn
}

// signedIn writes "Signed in as" and the caller's ARN, or the caller in
// words where the ARN would not fit on the line (a viewport cuts what does
// not fit, and an ARN is copied, never cut).
func signedIn(pg *page, th Theme, arn string) {
	const lead = "Signed in as "
	who := arn
	if ansi.StringWidth(lead+arn) > pg.width {
		who = CallerWords(arn, pg.width-len(lead))
	}
	pg.text("", "", th.paint(th.Faint, lead+who))
}
