package ui

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hanavault/hanavault/internal/discover"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// loadState is how far one discovery question got.
type loadState int

const (
	loading loadState = iota
	loaded
	failed
)

// roleKind says which role list a message is about.
type roleKind int

const (
	roleEC2 roleKind = iota
	roleAdmin
)

type (
	identityMsg struct {
		id  steps.Identity
		err error
	}
	knownMsg struct {
		list      []steps.KnownLandscape
		destroyed []steps.DestroyedLandscape
		err       error
	}
	regionsMsg struct {
		list []discover.RegionInfo
		err  error
	}
	rolesMsg struct {
		kind roleKind
		list []discover.RoleInfo
		err  error
	}
)

// discovery is what the wizard learnt about the account, question by
// question. The lists the form's pickers read live in cat, which is safe
// for huh's option functions (they run in commands, off the Update
// goroutine).
type discovery struct {
	identity      steps.Identity
	identityState loadState
	identityErr   error

	known      []steps.KnownLandscape
	knownState loadState
	// destroyed are landscapes destroy removed whose keys still wait out
	// their deletion window.
	destroyed []steps.DestroyedLandscape
	knownErr  error

	regionsState loadState
	regionsErr   error
	roleState    [2]loadState
	roleErr      [2]error

	cat *catalog
}

func newDiscovery() *discovery { return &discovery{cat: &catalog{}} }

// loading reports whether any question is unanswered.
func (d *discovery) loading() bool {
	return d.identityState == loading || d.knownState == loading || d.regionsState == loading ||
		d.roleState[roleEC2] == loading || d.roleState[roleAdmin] == loading
}

// catalog holds discovered regions and roles behind a mutex.
type catalog struct {
	mu        sync.Mutex
	partition string
	regions   []discover.RegionInfo
	roles     [2][]discover.RoleInfo
	width     int // the window's width (labelWidth)
}

func (c *catalog) setRegions(r []discover.RegionInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.regions = r
}

func (c *catalog) setRoles(k roleKind, r []discover.RoleInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.roles[k] = r
}

func (c *catalog) setPartition(p string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.partition = p
}

// region returns what discovery said about a region, if it answered.
func (c *catalog) region(name string) (discover.RegionInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.regions {
		if r.Name == name {
			return r, true
		}
	}
	return discover.RegionInfo{}, false
}

// regionChoices lists regions for a picker: the discovered ones with their
// opt-in status, or the regions hanavault knows (of the caller's
// partition) while discovery has not answered.
func (c *catalog) regionChoices() []choice {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []choice
	if len(c.regions) > 0 {
		for _, r := range c.regions {
			label := fmt.Sprintf("%-15s %s", r.Name, r.Description)
			switch {
			case !r.Enabled:
				label += " · not enabled (opt-in)"
			case r.OptInStatus == "opted-in":
				label += " · opted in"
			}
			out = append(out, choice{label, r.Name})
		}
		return out
	}
	for _, r := range spec.Regions() {
		if c.partition == "" || r.Partition == c.partition {
			out = append(out, choice{fmt.Sprintf("%-15s %s", r.Name, r.Description), r.Name})
		}
	}
	return out
}

// roleChoices lists discovered roles of one kind, then "type your own".
func (c *catalog) roleChoices(k roleKind) []choice {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []choice
	roles := c.roles[k]
	if k == roleAdmin {
		roles = slices.Clone(roles)
		slices.SortStableFunc(roles, func(a, b discover.RoleInfo) int { return adminRank(a.Name) - adminRank(b.Name) })
	}
	for _, r := range roles {
		label := r.Name
		if len(r.InstanceProfiles) > 0 {
			label += " · instance profile " + strings.Join(r.InstanceProfiles, ", ")
		} else if k == roleEC2 {
			label += " · no instance profile"
		}
		if len(r.Reasons) > 0 && k == roleAdmin {
			label += " · " + strings.Join(r.Reasons, ", ")
		}
		out = append(out, choice{ansi.Truncate(label, c.labelWidth(), "…"), roleRef(r)})
	}
	return append(out, choice{"Type a name or ARN…", typeOwn})
}

// adminRank orders KMS admin candidates for the picker, whose first entry
// is the default: a role whose name says it administers keys first,
// Identity Center roles last (see ssoRoleWarning).
func adminRank(name string) int {
	lower := strings.ToLower(name)
	switch {
	case isSSORole(name):
		return 2
	case (strings.Contains(lower, "kms") || strings.Contains(lower, "key")) && strings.Contains(lower, "admin"):
		return 0
	}
	return 1
}

// isSSORole reports whether a role name or ARN is an IAM Identity Center
// permission-set role.
func isSSORole(ref string) bool {
	return strings.HasPrefix(ref[strings.LastIndex(ref, "/")+1:], "AWSReservedSSO_")
}

// ssoRoleWarning is why an Identity Center role is a poor key
// administrator.
const ssoRoleWarning = "Identity Center can delete and recreate this role under a new name (when the permission set is reassigned); the key policy would then name a role that no longer exists. Prefer a role you manage."

// hasRole reports whether ref names a discovered role of kind k.
func (c *catalog) hasRole(k roleKind, ref string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.roles[k] {
		if roleRef(r) == ref || r.Name == ref {
			return true
		}
	}
	return false
}

// roleRef is what the landscape records for a discovered role: its ARN
// (exact even for roles with a path), or its name.
func roleRef(r discover.RoleInfo) string {
	if r.Arn != "" {
		return r.Arn
	}
	return r.Name
}

// maxLabel keeps picker options on one line of an 80-column window.
const maxLabel = 72

// labelWidth is how wide a picker option may be: the window less the
// form's margins, or maxLabel before the window size is known.
func (c *catalog) labelWidth() int {
	if c.width <= 0 {
		return maxLabel
	}
	return max(c.width-8, 20)
}

// setWidth records the window width for the option labels.
func (c *catalog) setWidth(w int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.width = w
}

// choice is one option of a picker.
type choice struct{ label, value string }

func huhOptions(cs []choice) []huh.Option[string] {
	out := make([]huh.Option[string], len(cs))
	for i, c := range cs {
		out[i] = huh.NewOption(c.label, c.value)
	}
	return out
}

// discoveredMsg is a discovery answer (identityMsg, knownMsg, regionsMsg,
// rolesMsg) for the discovery d of the session that asked: after a switch
// of session, answers about the old one are dropped.
type discoveredMsg struct {
	d   *discovery
	msg tea.Msg
}

// ask runs a discovery question for the current session.
func (m *model) ask(q func() tea.Msg) tea.Cmd {
	d := m.disc
	return func() tea.Msg { return discoveredMsg{d, q()} }
}

func (m *model) loadIdentity() tea.Cmd {
	ctx, eng := m.ctx, m.cfg.Engine
	return m.ask(func() tea.Msg {
		id, err := eng.Identity(ctx)
		return identityMsg{id, err}
	})
}

func (m *model) loadKnown() tea.Cmd {
	ctx, eng := m.ctx, m.cfg.Engine
	return m.ask(func() tea.Msg {
		l, err := eng.Known(ctx, true)
		var gone []steps.DestroyedLandscape
		if dl, ok := eng.(destroyedLister); ok && err == nil {
			gone, _ = dl.RecentlyDestroyed(ctx) // the home screen does without
		}
		return knownMsg{list: l, destroyed: gone, err: err}
	})
}

func (m *model) loadRegions() tea.Cmd {
	ctx, d := m.ctx, m.cfg.Discovery
	return m.ask(func() tea.Msg {
		l, err := d.Regions(ctx)
		return regionsMsg{l, err}
	})
}

func (m *model) loadRoles(k roleKind) tea.Cmd {
	ctx, d := m.ctx, m.cfg.Discovery
	return m.ask(func() tea.Msg {
		var (
			l   []discover.RoleInfo
			err error
		)
		if k == roleEC2 {
			l, err = d.EC2Roles(ctx)
		} else {
			l, err = d.AdminRoles(ctx)
		}
		return rolesMsg{k, l, err}
	})
}

// rediscover asks every question again (home screen's refresh).
func (m *model) rediscover() tea.Cmd {
	d := m.disc
	d.identityState, d.knownState, d.regionsState = loading, loading, loading
	d.roleState = [2]loadState{loading, loading}
	return tea.Batch(m.loadIdentity(), m.loadKnown(), m.loadRegions(),
		m.loadRoles(roleEC2), m.loadRoles(roleAdmin), m.startSpinner())
}

// updateDiscovery records an answer and tells the form, whose pickers and
// descriptions depend on it.
func (m *model) updateDiscovery(msg tea.Msg) tea.Cmd {
	d := m.disc
	state := func(err error) loadState {
		if err != nil {
			return failed
		}
		return loaded
	}
	switch msg := msg.(type) {
	case identityMsg:
		d.identity, d.identityErr, d.identityState = msg.id, msg.err, state(msg.err)
		d.cat.setPartition(msg.id.Partition)
	case knownMsg:
		d.known, d.knownErr, d.knownState = msg.list, msg.err, state(msg.err)
		d.destroyed = msg.destroyed
		m.home.clamp(m.homeRows())
	case regionsMsg:
		d.regionsErr, d.regionsState = msg.err, state(msg.err)
		d.cat.setRegions(msg.list)
	case rolesMsg:
		d.roleErr[msg.kind], d.roleState[msg.kind] = msg.err, state(msg.err)
		d.cat.setRoles(msg.kind, msg.list)
	}
	if m.wiz != nil {
		return m.wiz.discoveryChanged(m)
	}
	return nil
}

// discoveryLines is the discovery panel: one line per question, with what
// failed and how to fix it.
func (m *model) discoveryLines() []string {
	d := m.disc
	var out []string
	line := func(st loadState, err error, what, done string) {
		switch st {
		case loading:
			out = append(out, m.spin.View()+" "+what+"…")
		case loaded:
			out = append(out, m.st.ok.Render("✓")+" "+done)
		case failed:
			h := m.cfg.hint(err)
			out = append(out, m.st.bad.Render("✗")+" "+what+" failed: "+h.Problem)
			if h.Fix != "" {
				out = append(out, "    "+m.st.faint.Render("Fix: ")+h.Fix)
			}
		}
	}
	line(d.regionsState, d.regionsErr, "listing regions", m.regionSummary())
	line(d.roleState[roleEC2], d.roleErr[roleEC2], "looking for EC2 backup roles", m.roleSummary(roleEC2))
	line(d.roleState[roleAdmin], d.roleErr[roleAdmin], "looking for KMS admin roles", m.roleSummary(roleAdmin))
	if d.regionsState == failed || d.roleState[roleEC2] == failed || d.roleState[roleAdmin] == failed {
		out = append(out, m.st.faint.Render("  You can still type regions and role names in the form."))
	}
	return out
}

func (m *model) regionSummary() string {
	d := m.disc.cat
	d.mu.Lock()
	defer d.mu.Unlock()
	enabled, optIn := 0, 0
	for _, r := range d.regions {
		if r.Enabled {
			enabled++
		} else {
			optIn++
		}
	}
	s := fmt.Sprintf("%d regions enabled", enabled)
	if optIn > 0 {
		s += fmt.Sprintf(", %d more need opt-in", optIn)
	}
	return s
}

func (m *model) roleSummary(k roleKind) string {
	c := m.disc.cat
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.roles[k])
	if k == roleEC2 {
		withProfile := 0
		for _, r := range c.roles[k] {
			if len(r.InstanceProfiles) > 0 {
				withProfile++
			}
		}
		return fmt.Sprintf("%s trusting EC2 (%d with an instance profile)", plural(n, "role", "roles"), withProfile)
	}
	return plural(n, "KMS admin role candidate", "KMS admin role candidates")
}

// plural formats a count with the right noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// rolesHint is the description of a role picker: what discovery found or
// why it could not.
func (m *model) rolesHint(k roleKind) string {
	d := m.disc
	switch d.roleState[k] {
	case loading:
		return "Looking for roles… you can also type a name or ARN."
	case failed:
		h := m.cfg.hint(d.roleErr[k])
		s := "Could not list roles: " + h.Problem
		if h.Fix != "" {
			s += " Fix: " + h.Fix
		}
		return s + " Choose “Type a name or ARN…”."
	}
	if k == roleEC2 {
		if len(m.disc.cat.roleChoices(k)) == 1 {
			return "No role trusts ec2.amazonaws.com yet: create one with an instance profile, or type its name."
		}
		return "Roles that trust ec2.amazonaws.com; HANA hosts use one through an instance profile."
	}
	return "This role administers both keys; the key policy gives it no use of them for encryption."
}

// regionsHint is the description of a region picker.
func (m *model) regionsHint() string {
	d := m.disc
	switch d.regionsState {
	case loading:
		return "Loading regions from AWS… known regions are listed meanwhile. / filters."
	case failed:
		h := m.cfg.hint(d.regionsErr)
		s := "Could not list regions: " + h.Problem
		if h.Fix != "" {
			s += " Fix: " + h.Fix
		}
		return s + " Known regions are listed; / filters."
	}
	return "Regions enabled for the account; / filters."
}

// checkRegion validates a picked region against what discovery found.
func (m *model) checkRegion(name string) error {
	if err := spec.ValidateRegion(name); err != nil {
		if _, ok := m.disc.cat.region(name); !ok {
			return err
		}
	}
	if r, ok := m.disc.cat.region(name); ok && !r.Enabled {
		return fmt.Errorf("%s is not enabled for this account: opt in to it in the AWS console first", name)
	}
	return nil
}

// knownSummary describes how a landscape was found.
func knownSummary(k steps.KnownLandscape) string {
	switch {
	case k.Local && k.Tagged:
		return "local state and tags"
	case k.Local:
		return "local state"
	case k.Tagged:
		return "tags only"
	}
	return ""
}
