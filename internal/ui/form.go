package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// Landscape fields the form edits, named by their landscape.yaml keys (the
// names spec validation and engine preflight use).
const (
	fieldSID            = "sid"
	fieldSource         = "sourceRegion"
	fieldReplication    = "replicationRegion"
	fieldOrigBucket     = "originalBucketName"
	fieldOrigAlias      = "originalCMKAlias"
	fieldReplBucket     = "replicationBucketName"
	fieldReplAlias      = "replicationCMKAlias"
	fieldEC2Role        = "ec2RoleToRunBackup"
	fieldAdminRole      = "kmsAdminRole"
	fieldOrigLog        = "originalLogBucketName"
	fieldReplLog        = "replicationLogBucketName"
	fieldTransition     = "lifecycle.transitionDays"
	fieldStorageClass   = "lifecycle.storageClass"
	fieldArchive        = "lifecycle.archiveDays"
	fieldNoncurrent     = "lifecycle.noncurrentExpirationDays"
	fieldDeletionWindow = "kmsDeletionWindowDays"
	fieldRecovery       = "recoveryWindowDays"
	fieldRTC            = "replicationTimeControl"
	fieldDeleteMarkers  = "deleteMarkerReplication"
	fieldStrictHeader   = "requireEncryptionHeader"
)

// typeOwn is the role pickers' "Type a name or ARN…" value.
const typeOwn = "\x00type"

// params are the form's answers. huh fields bind to them by pointer, so
// they live on the heap and the wizard holds a pointer.
type params struct {
	SID, Source, Replication                     string
	OrigBucket, OrigAlias, ReplBucket, ReplAlias string
	EC2Choice, EC2Typed, AdminChoice, AdminTyped string
	Advanced                                     bool
	Transition, StorageClass, Archive            string
	Noncurrent, OrigLog, ReplLog, DeletionWindow string
	Recovery                                     string
	RTC, DeleteMarkers, StrictHeader             bool
}

// wizard is the landscape form and what it remembers between builds.
type wizard struct {
	p *params
	// base is the landscape the form started from; fields the form does
	// not show (tags, role name, retention...) come from it.
	base spec.Landscape
	form *huh.Form
	// fix, when set, limits the form to the groups holding these fields
	// and shows each field's message (from validation or preflight).
	fix map[string]string
	// fixVal is each flagged field's value when it was flagged; the
	// message shows until the user changes it.
	fixVal map[string]string
	// banner is shown above the form (why it came back).
	banner string
	// auto is each derived field's last derived value: while the field
	// still holds it, a new SID or region derives it again.
	auto   map[string]string
	inputs map[string]*huh.Input
	// advanced is the "Change advanced options?" question; its
	// description says what the options are now.
	advanced *huh.Confirm
	selects  map[string]*huh.Select[string]
	desc     map[string]string
	// catVersion is the pickers' OptionsFunc binding; it changes when
	// discovery answers, so huh reloads their options.
	catVersion int
	// pages are the form's groups in order, with the fields on each.
	pages []group
	// filter is what the user typed after "/" in the focused picker.
	filter string
	cat    *catalog
	// typing is the field being typed into: its value is not checked
	// until the user leaves it or pauses (validationPause). editSeq
	// numbers the edits, so only the pause after the last one counts.
	typing  string
	editSeq int
}

// validationPause is how long typing stops before the field's value is
// checked.
const validationPause = 600 * time.Millisecond

// pauseMsg arrives validationPause after edit seq.
type pauseMsg struct{ seq int }

// noteEdit records a key sent to the focused field: an edit holds back
// its check until a pause; any other key (enter, tab, arrows) checks now.
func (w *wizard) noteEdit(k tea.KeyPressMsg) tea.Cmd {
	f := w.form.GetFocusedField()
	_, isInput := f.(*huh.Input)
	edit := isInput && (k.Text != "" || slices.Contains([]string{"backspace", "delete", "ctrl+u", "ctrl+k", "ctrl+w"}, k.String()))
	if !edit {
		w.typing = ""
		return nil
	}
	w.typing = f.GetKey()
	w.editSeq++
	seq := w.editSeq
	return tea.Tick(validationPause, func(time.Time) tea.Msg { return pauseMsg{seq: seq} })
}

// paused shows the check of the field typed into, once typing stopped.
func (m *model) paused(msg pauseMsg) tea.Cmd {
	w := m.wiz
	if w == nil || w.form == nil || msg.seq != w.editSeq || w.typing == "" {
		return nil
	}
	w.typing = ""
	return w.sync(m, false)
}

// openWizard shows the form: a new one, or the draft the user left.
func (m *model) openWizard() tea.Cmd {
	m.screen = scrForm
	if m.wiz != nil && m.wiz.form != nil && m.wiz.form.State == huh.StateNormal {
		return nil
	}
	if m.wiz == nil {
		src := m.cfg.Region
		base := spec.Defaults("", m.disc.identity.Account, src, spec.PartnerRegion(src))
		m.wiz = newWizard(base)
	}
	return m.wiz.build(m, nil, "")
}

// newWizard prepares a form for base; names still equal to their derived
// defaults keep following the SID and regions.
func newWizard(base spec.Landscape) *wizard {
	base.ApplyDefaults()
	w := &wizard{base: base, auto: map[string]string{}}
	lc := base.Lifecycle
	w.p = &params{
		SID: base.SID, Source: base.SourceRegion, Replication: base.ReplicationRegion,
		OrigBucket: base.OriginalBucketName, OrigAlias: base.OriginalCMKAlias,
		ReplBucket: base.ReplicationBucketName, ReplAlias: base.ReplicationCMKAlias,
		EC2Choice: base.EC2RoleToRunBackup, AdminChoice: base.KMSAdminRole,
		Transition: strconv.Itoa(lc.TransitionDays), StorageClass: lc.StorageClass,
		Archive: strconv.Itoa(lc.ArchiveDays), Noncurrent: strconv.Itoa(lc.NoncurrentExpirationDays),
		OrigLog: base.OriginalLogBucketName, ReplLog: base.ReplicationLogBucketName,
		DeletionWindow: strconv.Itoa(base.KMSDeletionWindowDays),
		Recovery:       strconv.Itoa(base.RecoveryWindowDays),
		RTC:            base.ReplicationTimeControl, DeleteMarkers: base.DeleteMarkerReplication,
		StrictHeader: base.RequireEncryptionHeader,
	}
	return w
}

// initAuto records which names are still the derived defaults.
func (w *wizard) initAuto(account string) {
	p := w.p
	d := spec.Defaults(p.SID, account, p.Source, p.Replication)
	keep := func(field, cur, def string) {
		if cur == def {
			w.auto[field] = cur
		}
	}
	keep(fieldOrigBucket, p.OrigBucket, d.OriginalBucketName)
	keep(fieldReplBucket, p.ReplBucket, d.ReplicationBucketName)
	keep(fieldOrigAlias, p.OrigAlias, d.OriginalCMKAlias)
	keep(fieldReplAlias, p.ReplAlias, d.ReplicationCMKAlias)
	keep(fieldOrigLog, p.OrigLog, p.OrigBucket+spec.LogBucketSuffix)
	keep(fieldReplLog, p.ReplLog, p.ReplBucket+spec.LogBucketSuffix)
}

// group is one page of the form and the fields on it.
type group struct {
	fields []string
	g      *huh.Group
}

// build (re)creates the form; with fix set it shows only the groups that
// hold those fields, each with its message.
func (w *wizard) build(m *model, fix map[string]string, banner string) tea.Cmd {
	p := w.p
	w.fix, w.banner = fix, banner
	w.fixVal = map[string]string{}
	for f := range fix {
		w.fixVal[f] = w.value(f)
	}
	if len(w.auto) == 0 {
		w.initAuto(m.disc.identity.Account)
	}
	// A role that discovery does not list is shown as typed.
	for _, r := range []struct {
		k             roleKind
		choice, typed *string
	}{{roleEC2, &p.EC2Choice, &p.EC2Typed}, {roleAdmin, &p.AdminChoice, &p.AdminTyped}} {
		if *r.choice != "" && *r.choice != typeOwn && !m.disc.cat.hasRole(r.k, *r.choice) {
			*r.typed, *r.choice = *r.choice, typeOwn
		}
	}
	w.inputs = map[string]*huh.Input{}
	w.selects = map[string]*huh.Select[string]{}
	w.desc = map[string]string{}

	input := func(field, title, desc string, v *string, validate func(string) error) *huh.Input {
		in := huh.NewInput().Key(field).Title(title).Value(v).Validate(validate)
		w.inputs[field] = in
		w.desc[field] = desc
		return in
	}
	cat := m.disc.cat
	w.cat = cat
	regionPicker := func(field, title string, v *string, validate func(string) error) *huh.Select[string] {
		s := huh.NewSelect[string]().Key(field).Title(title).Value(v).
			OptionsFunc(func() []huh.Option[string] { return huhOptions(cat.regionChoices()) }, &w.catVersion).
			Height(7).Validate(validate)
		w.selects[field] = s
		return s
	}
	rolePicker := func(field, title string, k roleKind, v *string) *huh.Select[string] {
		s := huh.NewSelect[string]().Key(field).Title(title).Value(v).
			OptionsFunc(func() []huh.Option[string] { return huhOptions(cat.roleChoices(k)) }, &w.catVersion).
			Height(7).Validate(func(s string) error {
			if s == "" {
				return errors.New("choose a role, or “Type a name or ARN…”")
			}
			return nil
		})
		w.selects[field] = s
		return s
	}
	bool3 := func(title, desc string, v *bool) *huh.Confirm {
		return huh.NewConfirm().Title(title).Description(desc).Affirmative("Yes").Negative("No").Value(v)
	}

	w.advanced = huh.NewConfirm().Title("Change advanced options?").Description(w.advancedSummary()).
		Affirmative("Yes").Negative("No").Value(&p.Advanced)
	groups := []group{
		{[]string{fieldSID, fieldSource, fieldReplication}, huh.NewGroup(
			input(fieldSID, "SAP system ID (SID)", "3 characters, e.g. PRD", &p.SID, spec.ValidateSID).CharLimit(3),
			regionPicker(fieldSource, "Source region · backups are written here", &p.Source,
				func(string) error { return w.checkPicked(m, fieldSource) }),
			regionPicker(fieldReplication, "Replication region · copies are kept here", &p.Replication,
				func(string) error { return w.checkPicked(m, fieldReplication) }),
		).Title("New landscape · system and regions")},
		{[]string{fieldOrigBucket, fieldOrigAlias, fieldReplBucket, fieldReplAlias}, huh.NewGroup(
			input(fieldOrigBucket, "Backup bucket (source region)", "Derived from the SID; edit to override.", &p.OrigBucket, w.check(fieldOrigBucket)),
			input(fieldOrigAlias, "Key alias (source region)", "KMS key alias, alias/…", &p.OrigAlias, aliasCheck),
			input(fieldReplBucket, "Replica bucket (replication region)", "Derived from the SID; edit to override.", &p.ReplBucket, w.check(fieldReplBucket)),
			input(fieldReplAlias, "Key alias (replication region)", "KMS key alias, alias/…", &p.ReplAlias, aliasCheck),
		).Title("Buckets and keys")},
		{[]string{fieldEC2Role}, huh.NewGroup(
			rolePicker(fieldEC2Role, "EC2 backup role · encrypts and decrypts backups", roleEC2, &p.EC2Choice),
		).Title("Roles")},
		{[]string{fieldEC2Role + "/typed"}, huh.NewGroup(
			input(fieldEC2Role+"/typed", "EC2 backup role · name or ARN", "The role your HANA hosts' instance profile uses.", &p.EC2Typed, spec.ValidateRoleRef),
		).Title("Roles")},
		{[]string{fieldAdminRole}, huh.NewGroup(
			rolePicker(fieldAdminRole, "KMS admin role · administers the keys", roleAdmin, &p.AdminChoice),
		).Title("Roles")},
		{[]string{fieldAdminRole + "/typed"}, huh.NewGroup(
			input(fieldAdminRole+"/typed", "KMS admin role · name or ARN", "Administers both keys; cannot decrypt with them.", &p.AdminTyped, spec.ValidateRoleRef),
		).Title("Roles")},
		{[]string{fieldRecovery}, huh.NewGroup(
			input(fieldRecovery, "Recovery window (days)", "How far back you need point-in-time recovery: the plan checks the archive lifecycle against it. 0: not stated.", &p.Recovery, validator(fieldRecovery)),
		).Title("Recovery")},
		{[]string{"advanced"}, huh.NewGroup(w.advanced).Title("Options")},
		{[]string{fieldTransition, fieldStorageClass, fieldArchive, fieldNoncurrent}, huh.NewGroup(
			input(fieldTransition, "Archive backups after (days)", "0–3650 (0 archives at once); current versions move to the archive class then.", &p.Transition, validator(fieldTransition)),
			huh.NewSelect[string]().Key(fieldStorageClass).Title("Archive storage class").
				Options(huh.NewOption("GLACIER (Flexible Retrieval)", "GLACIER"),
					huh.NewOption("DEEP_ARCHIVE", "DEEP_ARCHIVE"),
					huh.NewOption("GLACIER_IR (Instant Retrieval)", "GLACIER_IR")).
				Value(&p.StorageClass).Validate(spec.ValidateStorageClass),
			input(fieldArchive, "Keep archived backups for (days)", "1–3650; they expire after that.", &p.Archive, validator(fieldArchive)),
			input(fieldNoncurrent, "Delete replaced versions after (days)", "1–3650 days after a newer version or delete marker.", &p.Noncurrent, validator(fieldNoncurrent)),
		).Title("Advanced · lifecycle")},
		{[]string{fieldOrigLog, fieldReplLog, fieldDeletionWindow}, huh.NewGroup(
			input(fieldOrigLog, "Access-log bucket (source region)", "SSE-S3 encrypted; S3 cannot log to a KMS bucket.", &p.OrigLog, spec.ValidateBucketName),
			input(fieldReplLog, "Access-log bucket (replication region)", "SSE-S3 encrypted.", &p.ReplLog, spec.ValidateBucketName),
			input(fieldDeletionWindow, "Key deletion window (days)", "7–30: how long destroy waits before KMS deletes a key.", &p.DeletionWindow, validator(fieldDeletionWindow)),
		).Title("Advanced · logs and keys")},
		{[]string{fieldRTC, fieldDeleteMarkers, fieldStrictHeader}, huh.NewGroup(
			bool3("Replication Time Control?", "15-minute replication SLA with metrics; extra cost.", &p.RTC),
			bool3("Replicate delete markers?", "No keeps replicas when backups are deleted at the source.", &p.DeleteMarkers),
			bool3("Deny uploads without an encryption header?", "Breaks multipart (Backint) uploads; leave No unless told.", &p.StrictHeader),
		).Title("Advanced · replication and bucket policy")},
	}
	w.pages = groups
	var hg []*huh.Group
	for _, g := range groups {
		fields := g.fields
		g.g.WithHideFunc(func() bool { return w.hidden(fields) })
		hg = append(hg, g.g)
	}
	w.form = huh.NewForm(hg...).
		WithShowHelp(false).
		WithTheme(m.st.formTheme())
	w.resize(m.width, m.formHeight()-lineCount(w.bannerView(m)))
	w.refreshDescriptions(m)
	// Updating the form also makes the current group's pickers load their
	// options; the command doing that must run.
	_, cmd := w.form.Update(tea.BackgroundColorMsg{Color: m.st.background()})
	return tea.Batch(w.form.Init(), cmd)
}

// lineCount counts the lines of s ("" has none).
func lineCount(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, "\n") + 1
}

func aliasCheck(s string) error {
	_, err := spec.ValidateAlias(s)
	return err
}

// hidden decides whether a group of fields is skipped.
func (w *wizard) hidden(fields []string) bool {
	p := w.p
	typed := func(field, choice string) bool { return slices.Contains(fields, field+"/typed") && choice != typeOwn }
	if typed(fieldEC2Role, p.EC2Choice) || typed(fieldAdminRole, p.AdminChoice) {
		return true
	}
	if w.fix != nil {
		for _, f := range fields {
			if _, ok := w.fix[strings.TrimSuffix(f, "/typed")]; ok {
				return false
			}
		}
		return true
	}
	if slices.Contains(fields, "advanced") {
		return false
	}
	advanced := slices.ContainsFunc(fields, func(f string) bool {
		return strings.HasPrefix(f, "lifecycle.") || f == fieldOrigLog || f == fieldRTC
	})
	return advanced && !p.Advanced
}

// advancedSummary says what the advanced options are now.
func (w *wizard) advancedSummary() string {
	p := w.p
	yn := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	return fmt.Sprintf("Now: %s after %s days, expire %s days later; replaced versions deleted after %s days; "+
		"logs to %s; key deletion window %s days; RTC %s; delete markers replicated %s; encryption header required %s.",
		p.StorageClass, p.Transition, p.Archive, p.Noncurrent, p.OrigLog, p.DeletionWindow,
		yn(p.RTC), yn(p.DeleteMarkers), yn(p.StrictHeader))
}

// resize fits the form to the window.
func (w *wizard) resize(width, height int) {
	w.form.WithWidth(max(width-2, 20)).WithHeight(max(height, 8))
	// The pickers use the height there is: the two region pickers share
	// the first page with the SID, a role picker has a page of its own.
	for f, s := range w.selects {
		switch f {
		case fieldSource, fieldReplication:
			s.Height(max(7, (height-6)/2))
		case fieldEC2Role, fieldAdminRole:
			s.Height(max(7, height-4))
		}
	}
}

// filterEdit keeps a picker's matches in view while the user filters it:
// huh keeps the list scrolled where it was, so matches above the old
// position stayed hidden (typing /us-e showed us-east-2 but not
// us-east-1). The cursor goes to the first match, which scrolls the list
// to its top. It runs after the key reached the picker.
func (w *wizard) filterEdit(k tea.KeyPressMsg, wasFiltering bool) {
	f := w.form.GetFocusedField()
	sel, ok := f.(*huh.Select[string])
	if !ok || !sel.GetFiltering() {
		return
	}
	switch {
	case !wasFiltering: // this key ("/") started the filter
		w.filter = ""
		return
	case k.String() == "backspace":
		if r := []rune(w.filter); len(r) > 0 {
			w.filter = string(r[:len(r)-1])
		}
	case k.Text != "":
		w.filter += k.Text
	default:
		return
	}
	var labels []string
	switch f.GetKey() {
	case fieldSource, fieldReplication:
		for _, c := range w.cat.regionChoices() {
			if strings.Contains(strings.ToLower(c.label), strings.ToLower(w.filter)) {
				labels = append(labels, c.value)
			}
		}
	default:
		return
	}
	hovered, _ := sel.Hovered() // the value is not updated while filtering
	at := slices.Index(labels, hovered)
	for range max(at, 0) {
		w.form.Update(tea.KeyPressMsg{Code: tea.KeyUp})
	}
}

// value is a field's current answer as text.
func (w *wizard) value(field string) string {
	p := w.p
	switch field {
	case fieldSID:
		return p.SID
	case fieldSource:
		return p.Source
	case fieldReplication:
		return p.Replication
	case fieldOrigBucket:
		return p.OrigBucket
	case fieldOrigAlias:
		return p.OrigAlias
	case fieldReplBucket:
		return p.ReplBucket
	case fieldReplAlias:
		return p.ReplAlias
	case fieldEC2Role:
		return roleValue(p.EC2Choice, p.EC2Typed)
	case fieldEC2Role + "/typed":
		return p.EC2Typed
	case fieldAdminRole:
		return roleValue(p.AdminChoice, p.AdminTyped)
	case fieldAdminRole + "/typed":
		return p.AdminTyped
	case fieldOrigLog:
		return p.OrigLog
	case fieldReplLog:
		return p.ReplLog
	case fieldTransition:
		return p.Transition
	case fieldStorageClass:
		return p.StorageClass
	case fieldArchive:
		return p.Archive
	case fieldNoncurrent:
		return p.Noncurrent
	case fieldDeletionWindow:
		return p.DeletionWindow
	case fieldRecovery:
		return p.Recovery
	case fieldRTC:
		return strconv.FormatBool(p.RTC)
	case fieldDeleteMarkers:
		return strconv.FormatBool(p.DeleteMarkers)
	case fieldStrictHeader:
		return strconv.FormatBool(p.StrictHeader)
	}
	return ""
}

func roleValue(choice, typed string) string {
	if choice == typeOwn {
		return strings.TrimSpace(typed)
	}
	return choice
}

// landscape is the form's answers as a landscape.
func (w *wizard) landscape() spec.Landscape {
	p := w.p
	l := w.base
	l.SID = strings.TrimSpace(p.SID)
	l.SourceRegion, l.ReplicationRegion = p.Source, p.Replication
	l.OriginalBucketName, l.ReplicationBucketName = strings.TrimSpace(p.OrigBucket), strings.TrimSpace(p.ReplBucket)
	l.OriginalCMKAlias, l.ReplicationCMKAlias = strings.TrimSpace(p.OrigAlias), strings.TrimSpace(p.ReplAlias)
	l.EC2RoleToRunBackup = roleValue(p.EC2Choice, p.EC2Typed)
	l.KMSAdminRole = roleValue(p.AdminChoice, p.AdminTyped)
	l.OriginalLogBucketName, l.ReplicationLogBucketName = strings.TrimSpace(p.OrigLog), strings.TrimSpace(p.ReplLog)
	atoi := func(s string) int { v, _ := strconv.Atoi(strings.TrimSpace(s)); return v }
	l.Lifecycle.TransitionDays = atoi(p.Transition)
	l.Lifecycle.StorageClass = p.StorageClass
	l.Lifecycle.ArchiveDays = atoi(p.Archive)
	l.Lifecycle.NoncurrentExpirationDays = atoi(p.Noncurrent)
	l.KMSDeletionWindowDays = atoi(p.DeletionWindow)
	l.RecoveryWindowDays = atoi(p.Recovery)
	l.ReplicationTimeControl, l.DeleteMarkerReplication, l.RequireEncryptionHeader = p.RTC, p.DeleteMarkers, p.StrictHeader
	if l.ReplicationRoleName == "hanavault-"+w.base.SID+"-replication" {
		l.ReplicationRoleName = "" // follows a changed SID
	}
	l.ApplyDefaults()
	return l
}

// validator returns the as-you-type check of an input field.
func validator(field string) func(string) error {
	switch field {
	case fieldSID:
		return spec.ValidateSID
	case fieldOrigBucket, fieldReplBucket, fieldOrigLog, fieldReplLog:
		return spec.ValidateBucketName
	case fieldOrigAlias, fieldReplAlias:
		return aliasCheck
	case fieldEC2Role + "/typed", fieldAdminRole + "/typed":
		return spec.ValidateRoleRef
	case fieldTransition, fieldArchive, fieldNoncurrent, fieldDeletionWindow, fieldRecovery:
		return func(s string) error { return checkDays(field, s) }
	}
	return func(string) error { return nil }
}

// check is validator for the form's fields, with the rules that depend on
// other answers: a backup bucket whose access-log bucket is still named
// after it must leave room for the "-logs" suffix.
func (w *wizard) check(field string) func(string) error {
	base := validator(field)
	var logName *string
	switch field {
	case fieldOrigBucket:
		logName = &w.p.OrigLog
	case fieldReplBucket:
		logName = &w.p.ReplLog
	default:
		return base
	}
	return func(s string) error {
		if err := base(s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if n := len(s); n > spec.MaxBackupBucketNameLen && (*logName == "" || *logName == s+spec.LogBucketSuffix) {
			return fmt.Errorf("at most %d characters (this one has %d): its access-log bucket adds %q and S3 names stop at 63",
				spec.MaxBackupBucketNameLen, n, spec.LogBucketSuffix)
		}
		return nil
	}
}

// checkDays checks a days field's text against its range in spec.
func checkDays(field, s string) error {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return errors.New("enter a whole number of days")
	}
	return spec.ValidateNumber(field, v)
}

// problems is what spec validation says about l, by landscape field.
func problems(l spec.Landscape) map[string]string {
	out := map[string]string{}
	err := l.Validate()
	var ve spec.ValidationErrors
	switch {
	case errors.As(err, &ve):
		for _, fe := range ve {
			out[fe.Field] = joinMsg(out[fe.Field], fe.Rule)
		}
	case err != nil:
		out["landscape"] = err.Error()
	}
	return out
}

// description is what a field shows under its title now: a flagged
// problem while the value is unchanged, a validation error as the user
// types, or the field's hint.
func (w *wizard) description(m *model, field string) string {
	base := strings.TrimSuffix(field, "/typed")
	if msg, ok := w.fix[base]; ok && w.value(base) == w.fixVal[base] {
		return m.st.bad.Render("✗ " + msg)
	}
	if v := w.value(field); v != "" || field == fieldSID {
		if v == "" || field == w.typing {
			return w.desc[field]
		}
		if err := w.check(field)(v); err != nil {
			return m.st.bad.Render("✗ " + err.Error())
		}
	}
	switch field {
	case fieldSource, fieldReplication:
		if err := w.checkPicked(m, field); err != nil {
			return m.st.bad.Render("✗ " + err.Error())
		}
		return m.regionsHint()
	case fieldEC2Role:
		return m.rolesHint(roleEC2)
	case fieldAdminRole:
		if isSSORole(w.p.AdminChoice) {
			return m.st.warn.Render("! " + ssoRoleWarning)
		}
		return m.rolesHint(roleAdmin)
	}
	return w.desc[field]
}

// checkPicked checks the region a picker's cursor is on.
func (w *wizard) checkPicked(m *model, field string) error {
	p := w.p
	if field == fieldSource {
		if p.Source == "" {
			return nil
		}
		return m.checkRegion(p.Source)
	}
	if p.Replication == "" {
		return nil
	}
	if err := m.checkRegion(p.Replication); err != nil {
		return err
	}
	return spec.ValidateRegionPair(p.Source, p.Replication)
}

// refreshDescriptions updates every field's description and reports
// whether any changed.
func (w *wizard) refreshDescriptions(m *model) bool {
	changed := false
	for f, in := range w.inputs {
		d := w.description(m, f)
		if d != w.desc["shown:"+f] {
			w.desc["shown:"+f] = d
			in.Description(d)
			changed = true
		}
	}
	if d := w.advancedSummary(); d != w.desc["shown:advanced"] {
		w.desc["shown:advanced"] = d
		w.advanced.Description(d)
		changed = true
	}
	for f, s := range w.selects {
		d := w.description(m, f)
		if d != w.desc["shown:"+f] {
			w.desc["shown:"+f] = d
			s.Description(d)
			changed = true
		}
	}
	return changed
}

// sync runs after every form update: it derives names from a changed SID
// or region (unless the user edited them) and refreshes the as-you-type
// messages; force makes the form redraw (and reload its pickers) anyway.
func (w *wizard) sync(m *model, force bool) tea.Cmd {
	changed := len(w.deriveNames(m.disc.identity.Account)) > 0
	if w.refreshDescriptions(m) || changed || force {
		_, cmd := w.form.Update(refreshMsg{})
		return cmd
	}
	return nil
}

// deriveNames derives again the names that still follow the SID and
// regions, and returns the fields it changed. A name the user edited stops
// following.
func (w *wizard) deriveNames(account string) []string {
	p := w.p
	for f, cur := range w.auto {
		if w.value(f) != cur {
			delete(w.auto, f)
		}
	}
	var changed []string
	set := func(field string, v *string, derived string) {
		if cur, ok := w.auto[field]; ok && *v == cur && derived != cur {
			*v = derived
			w.auto[field] = derived
			if in := w.inputs[field]; in != nil {
				setInput(in, v)
			}
			changed = append(changed, field)
		}
	}
	if strings.TrimSpace(p.SID) != "" {
		d := spec.Defaults(p.SID, account, p.Source, p.Replication)
		set(fieldOrigBucket, &p.OrigBucket, d.OriginalBucketName)
		set(fieldReplBucket, &p.ReplBucket, d.ReplicationBucketName)
		set(fieldOrigAlias, &p.OrigAlias, d.OriginalCMKAlias)
		set(fieldReplAlias, &p.ReplAlias, d.ReplicationCMKAlias)
	}
	set(fieldOrigLog, &p.OrigLog, p.OrigBucket+spec.LogBucketSuffix)
	set(fieldReplLog, &p.ReplLog, p.ReplBucket+spec.LogBucketSuffix)
	return changed
}

// setInput shows a changed bound value in its input, with the cursor at
// its end (huh copies the value only when the field is bound, and keeps
// the cursor where it was unless the input was empty).
func setInput(in *huh.Input, v *string) {
	blank := ""
	in.Value(&blank)
	in.Value(v)
}

// discoveryChanged reloads the pickers and hints after discovery answered.
func (w *wizard) discoveryChanged(m *model) tea.Cmd {
	w.catVersion++
	if w.form == nil || w.form.State != huh.StateNormal {
		return nil
	}
	return w.sync(m, true)
}

func (m *model) formBindings() []key.Binding {
	if m.wiz == nil || m.wiz.form == nil {
		return nil
	}
	back := m.keys.Cancel
	back.SetHelp("esc", "back a page")
	if m.wiz.firstPage() {
		back.SetHelp("esc", "home (keeps answers)")
	}
	return append(m.wiz.form.KeyBinds(), back, m.keys.Interrupt)
}

func (m *model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	if msg.String() == "esc" && !m.formWantsEsc() {
		return m.formBack()
	}
	if msg.String() == "enter" && m.wiz.form.GetFocusedField().GetKey() == fieldSID {
		if k, ok := m.knownSID(); ok {
			return m.existingSID(k)
		}
	}
	if msg.String() == "shift+tab" && m.wiz.onFirstField() {
		if cmd, stay := m.wiz.holdInvalidPage(m); stay {
			return cmd
		}
	}
	return m.updateForm(msg)
}

// page is the index of the page holding the focused field (-1 if none).
func (w *wizard) page() int {
	f := w.form.GetFocusedField()
	if f == nil {
		return -1
	}
	for i, g := range w.pages {
		if slices.Contains(g.fields, f.GetKey()) {
			return i
		}
	}
	return -1
}

// onFirstField reports whether the focus is on the first field of its
// page, where shift+tab leaves the page.
func (w *wizard) onFirstField() bool {
	i := w.page()
	return i >= 0 && w.form.GetFocusedField().GetKey() == w.pages[i].fields[0]
}

// holdInvalidPage keeps the focus on a page that huh would refuse to
// leave. huh v2 blurs the field before it checks the page for errors, and
// when it refuses, no field is focused and every key is dead. stay
// reports that the page has errors: the field keeps the focus and the
// error is shown.
func (w *wizard) holdInvalidPage(m *model) (cmd tea.Cmd, stay bool) {
	f := w.form.GetFocusedField()
	f.Blur() // huh validates on blur; the page's errors are now current
	focus := f.Focus()
	errs := w.form.Errors()
	if len(errs) == 0 {
		return nil, false
	}
	m.flash = "Fix this page first: " + errs[0].Error()
	return focus, true
}

// formWantsEsc reports whether the focused field uses esc itself (a
// picker's filter).
func (m *model) formWantsEsc() bool {
	for _, b := range m.wiz.form.KeyBinds() {
		if b.Enabled() && slices.Contains(b.Keys(), "esc") {
			return true
		}
	}
	return false
}

func (m *model) updateForm(msg tea.Msg) tea.Cmd {
	w := m.wiz
	var pause tea.Cmd
	wasFiltering := false
	if k, ok := msg.(tea.KeyPressMsg); ok {
		pause = w.noteEdit(k)
		sel, isSel := w.form.GetFocusedField().(*huh.Select[string])
		wasFiltering = isSel && sel.GetFiltering()
	}
	fm, cmd := w.form.Update(msg)
	cmd = tea.Batch(cmd, pause)
	if k, ok := msg.(tea.KeyPressMsg); ok {
		w.filterEdit(k, wasFiltering)
	}
	if f, ok := fm.(*huh.Form); ok {
		w.form = f
	}
	switch w.form.State {
	case huh.StateCompleted:
		return tea.Batch(cmd, m.formDone())
	case huh.StateAborted:
		m.screen = scrHome
		return cmd
	}
	return tea.Batch(cmd, w.sync(m, false))
}

func (m *model) formView() string {
	w := m.wiz
	s := w.bannerView(m)
	if f := w.form.GetFocusedField(); f != nil && strings.HasPrefix(f.GetKey(), fieldAdminRole) {
		// The admin role is asked on a page of its own: say which role
		// will use the keys, so the two are told apart.
		s += m.st.faint.Render("EC2 backup role: ") + w.value(fieldEC2Role) + "\n"
	}
	return s + w.form.View()
}

// step is the current page's place among the pages the form shows, and
// their number (0, 0 when unknown).
func (w *wizard) step() (i, n int) {
	cur := w.page()
	for j, g := range w.pages {
		if w.hidden(g.fields) {
			continue
		}
		n++
		if j <= cur {
			i = n
		}
	}
	if cur < 0 {
		return 0, 0
	}
	return i, n
}

func (w *wizard) bannerView(m *model) string {
	if w.banner == "" {
		return ""
	}
	return m.st.warn.Render(wrap(w.banner, m.width-2)) + "\n"
}

// formDone validates the answers, then asks the engine's preflight.
func (m *model) formDone() tea.Cmd {
	w := m.wiz
	l := w.landscape()
	if fix := problems(l); len(fix) > 0 {
		return m.sendBack(fix, "Some answers need another look: the fields marked ✗ say why.")
	}
	m.land = l
	eng := m.cfg.Engine
	return m.startOp("Checking names and roles in AWS", scrForm, func(ctx context.Context) func(*model) tea.Cmd {
		issues, err := eng.Preflight(ctx, l)
		return func(m *model) tea.Cmd {
			if err != nil {
				return m.fail(fmt.Errorf("preflight of landscape %s: %w", l.SID, err))
			}
			if len(issues) > 0 {
				fix := map[string]string{}
				for _, is := range issues {
					fix[is.Field] = joinMsg(fix[is.Field], is.Message)
				}
				return m.sendBack(fix, "AWS says some names or roles won't work: fix the fields marked ✗.")
			}
			return m.planNew(l)
		}
	})
}

func joinMsg(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// sendBack reopens the form at the fields concerned, with their messages.
// Problems with fields the form does not show are listed in the banner.
func (m *model) sendBack(fix map[string]string, banner string) tea.Cmd {
	w := m.wiz
	shown := map[string]string{}
	var elsewhere []string
	for f, msg := range fix {
		if w.shows(f) {
			shown[f] = msg
		} else {
			elsewhere = append(elsewhere, f+": "+msg)
		}
	}
	slices.Sort(elsewhere)
	if len(shown) == 0 {
		return m.fail(fmt.Errorf("landscape %s: %s (edit %s and run hanavault apply -f with it)",
			w.p.SID, strings.Join(elsewhere, "; "), landscapeFile(m.cfg.SaveDir, w.p.SID)))
	}
	if len(elsewhere) > 0 {
		banner += " Also: " + strings.Join(elsewhere, "; ")
	}
	m.screen = scrForm
	return w.build(m, shown, banner)
}

// shows reports whether the form has a field for a landscape key.
func (w *wizard) shows(field string) bool {
	switch field {
	case fieldSID, fieldSource, fieldReplication, fieldOrigBucket, fieldOrigAlias, fieldReplBucket,
		fieldReplAlias, fieldEC2Role, fieldAdminRole, fieldOrigLog, fieldReplLog, fieldTransition,
		fieldStorageClass, fieldArchive, fieldNoncurrent, fieldDeletionWindow, fieldRTC,
		fieldDeleteMarkers, fieldStrictHeader, fieldRecovery:
		return true
	}
	return false
}

// landscapeFile is where the wizard (either mode) saves the landscape of
// sid.
func landscapeFile(dir, sid string) string {
	return filepath.Join(dir, "landscape-"+sid+".yaml")
}

// saveLandscape writes l to its landscapeFile in dir and returns the file's
// absolute path (the path as joined when it cannot be made absolute).
func saveLandscape(dir string, l spec.Landscape) (string, error) {
	path := landscapeFile(dir, l.SID)
	if err := os.WriteFile(path, spec.Marshal(l), 0o644); err != nil {
		return "", fmt.Errorf("save landscape %s: %w", l.SID, err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return path, nil
}

// planNew plans the form's answers. They are saved as
// landscape-<SID>.yaml only when the user confirms the apply (saveAnswers).
func (m *model) planNew(l spec.Landscape) tea.Cmd {
	eng := m.cfg.Engine
	return m.startOp("Planning "+l.SID, scrForm, func(ctx context.Context) func(*model) tea.Cmd {
		plan, err := eng.Plan(ctx, l)
		return func(m *model) tea.Cmd {
			if err != nil {
				return m.fail(fmt.Errorf("plan landscape %s: %w", l.SID, err))
			}
			return m.showPlan(l, plan, scrForm)
		}
	})
}

func savedNote(path string) string { return "Saved the answers to " + path }

// answersFile is where the form's answers for sid are saved, as an
// absolute path when it can be made one.
func (c Config) answersFile(sid string) string {
	path := landscapeFile(c.SaveDir, sid)
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// saveAnswers saves the form's answers when the user confirmed the apply,
// and says where; the draft is no longer needed.
func (m *model) saveAnswers(l spec.Landscape) error {
	if err := os.MkdirAll(m.cfg.SaveDir, 0o700); err != nil {
		return fmt.Errorf("save landscape %s: %w", l.SID, err)
	}
	abs, err := saveLandscape(m.cfg.SaveDir, l)
	if err != nil {
		return err
	}
	m.savedPath = abs
	m.dropDraft()
	if !slices.Contains(m.summary, savedNote(abs)) {
		m.note("%s", savedNote(abs))
	}
	return nil
}

// reopenForm shows the form again after the user went back from a later
// screen.
func (m *model) reopenForm() tea.Cmd {
	if m.wiz == nil {
		return m.goHome()
	}
	m.screen = scrForm
	return m.wiz.build(m, nil, "")
}

// planFor plans a landscape that did not come from the form.
func (m *model) planFor(l spec.Landscape, back screen) tea.Cmd {
	eng := m.cfg.Engine
	return m.startOp("Planning "+l.SID, back, func(ctx context.Context) func(*model) tea.Cmd {
		plan, err := eng.Plan(ctx, l)
		return func(m *model) tea.Cmd {
			if err != nil {
				return m.fail(fmt.Errorf("plan landscape %s: %w", l.SID, err))
			}
			return m.showPlan(l, plan, back)
		}
	})
}

// openPlanFor plans a known landscape again ("apply again").
func (m *model) openPlanFor(k steps.KnownLandscape) tea.Cmd {
	eng := m.cfg.Engine
	return m.startOp("Planning "+k.SID, scrHome, func(ctx context.Context) func(*model) tea.Cmd {
		l, err := m.resolve(ctx, k)
		if err != nil {
			return func(m *model) tea.Cmd { return m.fail(err) }
		}
		plan, err := eng.Plan(ctx, l)
		return func(m *model) tea.Cmd {
			if err != nil {
				return m.fail(fmt.Errorf("plan landscape %s: %w", l.SID, err))
			}
			return m.showPlan(l, plan, scrHome)
		}
	})
}
