package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/hanavault/hanavault/internal/discover"
	"github.com/hanavault/hanavault/internal/report"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// errInputEnded is returned when the answers run out before a question.
var errInputEnded = errors.New("input ended")

// byteReader reads one byte per call, so huh's per-prompt bufio.Scanner
// never takes more than the current line, and remembers reaching EOF.
type byteReader struct {
	r    io.Reader
	n    int64
	eof  bool
	once [1]byte
}

func (b *byteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, err := b.r.Read(b.once[:])
	if n > 0 {
		p[0] = b.once[0]
		b.n++
	}
	if errors.Is(err, io.EOF) {
		b.eof = true
	}
	return n, err
}

// plain runs the wizard's flow as numbered line prompts: for screen
// readers, pipes and terminals without a TTY.
type plain struct {
	ctx context.Context
	cfg Config
	in  *byteReader
	out io.Writer
	lk  look

	disc      *discovery
	savedPath string
	// failed is the last rollback or destroy that did not finish (failedOp
	// names it); the session ends with it so the exit status says so.
	failed   error
	failedOp string
	// fromForm: the landscape being planned comes from the questions;
	// confirming the apply saves it.
	fromForm bool
}

func runAccessible(ctx context.Context, cfg Config) error {
	a := &plain{
		ctx: ctx,
		cfg: cfg,
		in:  &byteReader{r: cfg.In},
		// Prompts carry styling; strip every escape for readers and pipes.
		out:  &colorprofile.Writer{Forward: cfg.Out, Profile: colorprofile.NoTTY},
		lk:   look{isDark: true, noColor: true},
		disc: newDiscovery(),
	}
	return a.run()
}

func (a *plain) printf(format string, args ...any) {
	_, _ = fmt.Fprintf(a.out, format, args...)
}

// interrupted wraps an error from a cancelled context so the CLI exits 130.
func (a *plain) interrupted(what string) error {
	if a.ctx.Err() == nil {
		return nil
	}
	return fmt.Errorf("%s interrupted (%w): %w", what, tea.ErrInterrupted, a.ctx.Err())
}

// ask runs one field as an accessible prompt. It fails when the answers
// ran out before the question was answered.
func (a *plain) ask(question string, f huh.Field) (err error) {
	if err := a.interrupted("hanavault"); err != nil {
		return err
	}
	before := a.in.n
	defer func() {
		// At the end of the input huh's select takes the last line even
		// when it was out of range, and indexes its options with it.
		if r := recover(); r != nil {
			if !a.in.eof {
				panic(r)
			}
			err = fmt.Errorf("question %q: %w before a valid answer", question, errInputEnded)
		}
	}()
	form := huh.NewForm(huh.NewGroup(f)).
		WithAccessible(true).
		WithInput(a.in).
		WithOutput(a.out).
		WithTheme(huh.ThemeFunc(huh.ThemeBase))
	if err := form.RunWithContext(a.ctx); err != nil {
		return fmt.Errorf("question %q: %w", question, err)
	}
	if a.in.eof && a.in.n == before {
		return fmt.Errorf("question %q: %w", question, errInputEnded)
	}
	return nil
}

// askString asks for text until check accepts it; an empty answer keeps
// the current value.
func (a *plain) askString(title, hint string, v *string, check func(string) error) error {
	for {
		if hint != "" {
			a.printf("%s\n", hint)
		}
		in := huh.NewInput().Title(title + " ").Value(v).Validate(func(s string) error {
			if strings.TrimSpace(s) == "" {
				return nil // keeps the default; checked below
			}
			return check(strings.TrimSpace(s))
		})
		if err := a.ask(title, in); err != nil {
			return err
		}
		*v = strings.TrimSpace(*v)
		err := check(*v)
		if err == nil {
			return nil
		}
		a.printf("%s: %v\n", title, err)
		if a.in.eof {
			return fmt.Errorf("question %q: %w: %w", title, errInputEnded, err)
		}
	}
}

// askChoice asks to pick one of cs until check accepts it.
func (a *plain) askChoice(title, hint string, cs []choice, v *string, check func(string) error) error {
	for {
		if hint != "" {
			a.printf("%s\n", hint)
		}
		for _, c := range cs {
			if c.value == *v && *v != "" {
				a.printf("Enter for %s.\n", strings.TrimSpace(c.label))
			}
		}
		// No Validate on the select: at EOF huh would loop for ever on a
		// rejected default. The answer is checked below instead.
		sel := huh.NewSelect[string]().Title(title).Options(huhOptions(cs)...).Value(v)
		if err := a.ask(title, sel); err != nil {
			return err
		}
		err := check(*v)
		if err == nil {
			return nil
		}
		a.printf("%s: %v\n", title, err)
		if a.in.eof {
			return fmt.Errorf("question %q: %w: %w", title, errInputEnded, err)
		}
	}
}

// askBool asks a yes/no question; an empty line keeps *v, and the
// question says so.
func (a *plain) askBool(title string, v *bool) error {
	keep := "no"
	if *v {
		keep = "yes"
	}
	a.printf("Enter keeps %s.\n", keep)
	return a.ask(title, huh.NewConfirm().Title(title).Affirmative("yes").Negative("no").Value(v))
}

func (a *plain) run() error {
	a.discover()
	for {
		k, action, err := a.menu()
		if err != nil {
			return err
		}
		switch action {
		case "quit":
			return a.failed
		case "new":
			err = a.newLandscape()
		case "status":
			err = a.withLandscape(k, a.status)
		case "apply":
			err = a.withLandscape(k, a.planAndApply)
		case "destroy":
			err = a.withLandscape(k, a.destroy)
		case "verify":
			err = a.withLandscape(k, a.verify)
		case "recall":
			err = a.withLandscape(k, a.recall)
		}
		if err != nil {
			return err
		}
	}
}

// discover asks every discovery question concurrently and prints the
// answers, with how to fix what failed.
func (a *plain) discover() {
	d := a.disc
	var (
		wg                 sync.WaitGroup
		regions            []discover.RegionInfo
		ec2, admin         []discover.RoleInfo
		regErr, ec2Err, a2 error
	)
	wg.Add(5)
	go func() { defer wg.Done(); d.identity, d.identityErr = a.cfg.Engine.Identity(a.ctx) }()
	go func() {
		defer wg.Done()
		d.known, d.knownErr = a.cfg.Engine.Known(a.ctx, true)
		if dl, ok := a.cfg.Engine.(destroyedLister); ok && d.knownErr == nil {
			d.destroyed, _ = dl.RecentlyDestroyed(a.ctx)
		}
	}()
	go func() { defer wg.Done(); regions, regErr = a.cfg.Discovery.Regions(a.ctx) }()
	go func() { defer wg.Done(); ec2, ec2Err = a.cfg.Discovery.EC2Roles(a.ctx) }()
	go func() { defer wg.Done(); admin, a2 = a.cfg.Discovery.AdminRoles(a.ctx) }()
	wg.Wait()
	d.cat.setPartition(d.identity.Partition)
	d.cat.setRegions(regions)
	d.cat.setRoles(roleEC2, ec2)
	d.cat.setRoles(roleAdmin, admin)

	a.printf("hanavault: encrypted offsite backup storage for SAP HANA on AWS\n")
	if a.cfg.Sandbox {
		reason := a.cfg.SandboxReason
		if reason == "" {
			reason = "This is the sandbox: an in-memory account, nothing reaches AWS."
		}
		a.printf("SANDBOX: %s\n", reason)
	}
	failed := func(what string, err error) {
		h := a.cfg.hint(err)
		a.printf("%s: failed: %s\n", what, h.Problem)
		if h.Fix != "" {
			a.printf("  Fix: %s\n", h.Fix)
		}
	}
	if d.identityErr != nil {
		failed("Account", d.identityErr)
	} else {
		a.printf("Account: %s (partition %s)\nCaller: %s\n", d.identity.Account, d.identity.Partition, d.identity.Arn)
	}
	profile, region := a.cfg.Profile, a.cfg.Region
	if profile == "" {
		profile = "default"
	}
	if region == "" {
		region = "not set"
	}
	if a.cfg.Sandbox {
		a.printf("Source region: %s\n", region)
	} else {
		a.printf("Profile: %s; source region: %s\n", profile, region)
	}
	if a.cfg.StateDir != "" {
		a.printf("State: %s\n", a.cfg.StateDir)
	}
	m := &model{disc: d}
	for _, q := range []struct {
		what string
		err  error
		ok   func() string
	}{
		{"Regions", regErr, m.regionSummary},
		{"EC2 backup roles", ec2Err, func() string { return m.roleSummary(roleEC2) }},
		{"KMS admin roles", a2, func() string { return m.roleSummary(roleAdmin) }},
	} {
		if q.err != nil {
			failed(q.what, q.err)
			a.printf("  You can still type it by hand.\n")
			continue
		}
		a.printf("%s: %s\n", q.what, q.ok())
	}
	switch {
	case d.knownErr != nil:
		failed("Landscapes", d.knownErr)
	case len(d.known) == 0:
		a.printf("Landscapes: none yet in this account\n")
	default:
		a.printf("Landscapes:\n")
		for _, k := range d.known {
			a.printf("  %s %s → %s: %s (%s)\n", k.SID, k.SourceRegion, k.ReplicationRegion, k.Overall, knownSummary(k))
		}
	}
	for _, g := range d.destroyed {
		a.printf("Destroyed: %s %s → %s, %s\n", g.SID, g.SourceRegion, g.ReplicationRegion, destroyedWords(g))
		a.printf("%s", report.RenderDestroyed(&g, report.PlainTheme(), 80))
	}
}

// refreshKnown lists the known landscapes again after a run changed them.
func (a *plain) refreshKnown() {
	if k, err := a.cfg.Engine.Known(a.ctx, true); err == nil {
		a.disc.known = k
	}
}

// menu asks what to do next.
func (a *plain) menu() (steps.KnownLandscape, string, error) {
	cs := []choice{{"New landscape", "new"}}
	for i, k := range a.disc.known {
		id := fmt.Sprint(i)
		cs = append(cs,
			choice{"Status of " + k.SID, "status:" + id},
			choice{"Apply " + k.SID + " again", "apply:" + id},
			choice{"Destroy " + k.SID, "destroy:" + id})
		if a.cfg.DR != nil {
			cs = append(cs, choice{"Verify " + k.SID + " end to end (DR proof)", "verify:" + id},
				choice{"Recall archived backups of " + k.SID, "recall:" + id})
		}
	}
	cs = append(cs, choice{"Quit", "quit"})
	v := "new"
	a.printf("\n")
	if err := a.askChoice("What next?", "", cs, &v, func(string) error { return nil }); err != nil {
		return steps.KnownLandscape{}, "", err
	}
	action, idx, _ := strings.Cut(v, ":")
	var k steps.KnownLandscape
	if idx != "" {
		var i int
		_, _ = fmt.Sscan(idx, &i)
		k = a.disc.known[i]
	}
	return k, action, nil
}

func (a *plain) withLandscape(k steps.KnownLandscape, then func(spec.Landscape) error) error {
	l, err := (&model{cfg: a.cfg}).resolve(a.ctx, k)
	if err != nil {
		a.printf("%s\n", a.explain(err))
		return a.interrupted("hanavault")
	}
	return then(l)
}

// explain formats an error with its fix.
func (a *plain) explain(err error) string {
	h := a.cfg.hint(err)
	if h.Fix != "" {
		return h.Problem + "\nFix: " + h.Fix
	}
	return h.Problem
}

// newLandscape asks the form's questions, checks them with preflight,
// saves them and plans.
func (a *plain) newLandscape() error {
	src := a.cfg.Region
	w := newWizard(spec.Defaults("", a.disc.identity.Account, src, spec.PartnerRegion(src)))
	w.initAuto(a.disc.identity.Account)
	fields := []string{fieldSID, fieldSource, fieldReplication, fieldOrigBucket, fieldOrigAlias,
		fieldReplBucket, fieldReplAlias, fieldEC2Role, fieldAdminRole, fieldRecovery, "advanced"}
	issues := map[string]string{}
	for {
		for _, f := range fields {
			if msg := issues[f]; msg != "" {
				a.printf("%s: %s\n", f, msg)
			}
			if err := a.askField(w, f); err != nil {
				return err
			}
		}
		l := w.landscape()
		issues = problems(l)
		if len(issues) == 0 {
			a.printf("Checking names and roles in AWS…\n")
			found, err := a.cfg.Engine.Preflight(a.ctx, l)
			if err != nil {
				a.printf("Preflight of %s failed: %s\n", l.SID, a.explain(err))
				return a.interruptedOr(fmt.Errorf("preflight of landscape %s: %w", l.SID, err))
			}
			for _, is := range found {
				issues[is.Field] = joinMsg(issues[is.Field], is.Message)
			}
		}
		if len(issues) == 0 {
			a.fromForm = true
			defer func() { a.fromForm = false }()
			return a.planAndApply(l)
		}
		a.printf("Some answers need another look:\n")
		fields = fields[:0]
		for f, msg := range issues {
			if !w.shows(f) {
				a.printf("  %s: %s (edit it in %s)\n", f, msg, landscapeFile(a.cfg.SaveDir, l.SID))
				continue
			}
			fields = append(fields, f)
		}
		if len(fields) == 0 {
			return fmt.Errorf("landscape %s: the form cannot fix these problems", l.SID)
		}
		orderFields(fields)
	}
}

// orderFields sorts field keys in the order the form asks them.
func orderFields(fs []string) {
	order := []string{fieldSID, fieldSource, fieldReplication, fieldOrigBucket, fieldOrigAlias, fieldReplBucket,
		fieldReplAlias, fieldEC2Role, fieldAdminRole, fieldRecovery, fieldTransition, fieldStorageClass, fieldArchive,
		fieldNoncurrent, fieldOrigLog, fieldReplLog, fieldDeletionWindow, fieldRTC, fieldDeleteMarkers, fieldStrictHeader}
	rank := map[string]int{}
	for i, f := range order {
		rank[f] = i
	}
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && rank[fs[j]] < rank[fs[j-1]]; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// askField asks for one landscape field.
func (a *plain) askField(w *wizard, field string) error {
	p := w.p
	m := &model{disc: a.disc}
	account := a.disc.identity.Account
	switch field {
	case fieldSID:
		err := a.askString("SAP system ID (SID)", "3 characters: an uppercase letter, then uppercase letters or digits.", &p.SID, spec.ValidateSID)
		w.deriveNames(account)
		return err
	case fieldSource:
		err := a.askChoice("Source region (backups are written here)", m.plainRegionsHint(),
			a.disc.cat.regionChoices(), &p.Source, m.checkRegion)
		w.deriveNames(account)
		return err
	case fieldReplication:
		if p.Replication == "" || p.Replication == p.Source {
			p.Replication = spec.PartnerRegion(p.Source)
		}
		err := a.askChoice("Replication region (copies are kept here)", "", a.disc.cat.regionChoices(), &p.Replication,
			func(s string) error {
				if err := m.checkRegion(s); err != nil {
					return err
				}
				return spec.ValidateRegionPair(p.Source, s)
			})
		w.deriveNames(account)
		return err
	case fieldOrigBucket:
		err := a.askString("Backup bucket in "+p.Source, "Press Enter to keep "+p.OrigBucket+".", &p.OrigBucket, w.check(fieldOrigBucket))
		w.deriveNames(account)
		return err
	case fieldOrigAlias:
		return a.askString("Key alias in "+p.Source, "Press Enter to keep "+p.OrigAlias+".", &p.OrigAlias, aliasCheck)
	case fieldReplBucket:
		err := a.askString("Replica bucket in "+p.Replication, "Press Enter to keep "+p.ReplBucket+".", &p.ReplBucket, w.check(fieldReplBucket))
		w.deriveNames(account)
		return err
	case fieldReplAlias:
		return a.askString("Key alias in "+p.Replication, "Press Enter to keep "+p.ReplAlias+".", &p.ReplAlias, aliasCheck)
	case fieldEC2Role:
		return a.askRole("EC2 backup role (encrypts and decrypts backups)", roleEC2, &p.EC2Choice, &p.EC2Typed)
	case fieldAdminRole:
		if err := a.askRole("KMS admin role (administers the keys)", roleAdmin, &p.AdminChoice, &p.AdminTyped); err != nil {
			return err
		}
		if isSSORole(roleValue(p.AdminChoice, p.AdminTyped)) {
			a.printf("Warning: %s\n", ssoRoleWarning)
		}
		return nil
	case "advanced":
		a.printf("%s\n", w.advancedSummary())
		if err := a.askBool("Change advanced options?", &p.Advanced); err != nil {
			return err
		}
		if !p.Advanced {
			return nil
		}
		for _, f := range []string{fieldTransition, fieldStorageClass, fieldArchive, fieldNoncurrent,
			fieldOrigLog, fieldReplLog, fieldDeletionWindow, fieldRTC, fieldDeleteMarkers, fieldStrictHeader} {
			if err := a.askField(w, f); err != nil {
				return err
			}
		}
		return nil
	case fieldTransition:
		return a.askString("Archive backups after (days)", "", &p.Transition, validator(field))
	case fieldStorageClass:
		return a.askChoice("Archive storage class", "", []choice{
			{"GLACIER (Flexible Retrieval)", "GLACIER"}, {"DEEP_ARCHIVE", "DEEP_ARCHIVE"},
			{"GLACIER_IR (Instant Retrieval)", "GLACIER_IR"}}, &p.StorageClass, spec.ValidateStorageClass)
	case fieldArchive:
		return a.askString("Keep archived backups for (days)", "", &p.Archive, validator(field))
	case fieldNoncurrent:
		return a.askString("Delete replaced versions after (days)", "", &p.Noncurrent, validator(field))
	case fieldOrigLog:
		return a.askString("Access-log bucket in "+p.Source, "Press Enter to keep "+p.OrigLog+".", &p.OrigLog, spec.ValidateBucketName)
	case fieldReplLog:
		return a.askString("Access-log bucket in "+p.Replication, "Press Enter to keep "+p.ReplLog+".", &p.ReplLog, spec.ValidateBucketName)
	case fieldDeletionWindow:
		return a.askString("Key deletion window (days, 7 to 30)", "", &p.DeletionWindow, validator(field))
	case fieldRecovery:
		return a.askString("Recovery window (days)", "How far back you need point-in-time recovery; the plan checks the archive lifecycle against it. Press Enter to keep "+p.Recovery+" (0: not stated).", &p.Recovery, validator(field))
	case fieldRTC:
		return a.askBool("Replication Time Control (15-minute SLA, extra cost)?", &p.RTC)
	case fieldDeleteMarkers:
		return a.askBool("Replicate delete markers?", &p.DeleteMarkers)
	case fieldStrictHeader:
		a.printf("Denying uploads without an encryption header breaks multipart (Backint) uploads.\n")
		return a.askBool("Deny uploads without an encryption header?", &p.StrictHeader)
	}
	return nil
}

// askRole picks a discovered role or asks for a typed one. In accessible
// mode the options are static: huh cannot run option functions there.
func (a *plain) askRole(title string, k roleKind, choiceV, typed *string) error {
	cs := a.disc.cat.roleChoices(k)
	if *choiceV == "" && len(cs) > 0 {
		*choiceV = cs[0].value
	}
	if *choiceV != typeOwn && *choiceV != "" && !a.disc.cat.hasRole(k, *choiceV) {
		*typed, *choiceV = *choiceV, typeOwn
	}
	if err := a.askChoice(title, "", cs, choiceV, func(string) error { return nil }); err != nil {
		return err
	}
	if *choiceV != typeOwn {
		return nil
	}
	return a.askString(title+": name or ARN", "", typed, spec.ValidateRoleRef)
}

// plainRegionsHint says where the region list came from.
func (m *model) plainRegionsHint() string {
	if m.disc.regionsState == failed || len(m.disc.cat.regionChoices()) == 0 {
		return "Known regions are listed (discovery did not answer)."
	}
	return ""
}

// interruptedOr returns the interruption if the context was cancelled,
// otherwise err.
func (a *plain) interruptedOr(err error) error {
	if ierr := a.interrupted("hanavault"); ierr != nil {
		return ierr
	}
	return err
}

// planAndApply plans l, shows it and applies it after confirmation.
func (a *plain) planAndApply(l spec.Landscape) error {
	a.printf("Planning %s…\n", l.SID)
	p, err := a.cfg.Engine.Plan(a.ctx, l)
	if err != nil {
		a.printf("Plan of %s failed: %s\n", l.SID, a.explain(err))
		return a.interruptedOr(nil)
	}
	a.printf("\n%s\n\n", planBody(p, l, a.lk, 80))
	if len(p.Documents) > 0 {
		show := false
		if err := a.askBool(fmt.Sprintf("Show the %d policy documents in full?", len(p.Documents)), &show); err != nil {
			return err
		}
		if show {
			for _, d := range p.Documents {
				a.printf("\n%s\n", docBody(d, a.lk))
			}
		}
	}
	apply := false
	if err := a.askBool(fmt.Sprintf("Apply this plan to %s in account %s?", l.SID, p.Identity.Account), &apply); err != nil {
		return err
	}
	if !apply {
		a.printf("Not applied.\n")
		return nil
	}
	if a.fromForm {
		if err := os.MkdirAll(a.cfg.SaveDir, 0o700); err != nil {
			return fmt.Errorf("save landscape %s: %w", l.SID, err)
		}
		path, err := saveLandscape(a.cfg.SaveDir, l)
		if err != nil {
			return err
		}
		a.savedPath = path
		a.printf("%s\n", savedNote(path))
	}
	defer a.refreshKnown()
	for {
		res, err := a.runOp(runApply, l)
		if ierr := a.stopped(runApply, l); ierr != nil {
			return ierr
		}
		if err == nil && (res == nil || res.Failed == 0) {
			return nil
		}
		next := "leave"
		if err := a.askChoice("The apply did not finish. What now?", "", []choice{
			{"Retry the apply", "retry"}, {"Roll back what this run created", "rollback"}, {"Leave it as it is", "leave"},
		}, &next, func(string) error { return nil }); err != nil {
			return err
		}
		switch next {
		case "retry":
			continue
		case "rollback":
			a.noteFailure(runRollback, l)(a.runOp(runRollback, l))
			return a.stopped(runRollback, l)
		}
		return nil
	}
}

// stopped reports an interrupted run with how to resume.
func (a *plain) stopped(kind runKind, l spec.Landscape) error {
	if a.ctx.Err() == nil {
		return nil
	}
	file := a.savedPath
	if file == "" {
		file = landscapeFile(a.cfg.SaveDir, l.SID)
	}
	if kind == runDestroy {
		a.printf("Stopped. To finish, run hanavault again and choose destroy, or: %s\n", a.cfg.command("destroy "+l.SID))
	} else {
		a.printf("Stopped. To resume, run hanavault again and choose apply again, or: %s\n", a.cfg.command("apply -f "+file))
	}
	return fmt.Errorf("%s of landscape %s stopped (%w)", strings.ToLower(kind.noun()), l.SID, tea.ErrInterrupted)
}

// noteFailure returns a function that records a rollback or destroy that
// did not finish as the session's failure (a later success of the same
// kind on the same landscape clears it).
func (a *plain) noteFailure(kind runKind, l spec.Landscape) func(*steps.Result, error) {
	return func(res *steps.Result, err error) {
		if err == nil && res != nil && res.Failed > 0 {
			err = fmt.Errorf("%d step(s) failed", res.Failed)
		}
		op := strings.ToLower(kind.noun()) + " of landscape " + l.SID
		switch {
		case err != nil:
			a.failed, a.failedOp = fmt.Errorf("%s failed: %w", op, err), op
		case a.failedOp == op:
			a.failed, a.failedOp = nil, ""
		}
	}
}

// runOp runs an apply, roll back or destroy, printing one line per event.
func (a *plain) runOp(kind runKind, l spec.Landscape) (*steps.Result, error) {
	a.printf("%s %s…\n", kind.verb(), l.SID)
	sink := textSink(a.out)
	var (
		res *steps.Result
		err error
	)
	switch kind {
	case runApply:
		res, err = a.cfg.Engine.Apply(a.ctx, l, sink)
	case runRollback:
		res, err = a.cfg.Engine.RollbackLastRun(a.ctx, l, sink)
	case runDestroy:
		res, err = a.cfg.Engine.Destroy(a.ctx, l, sink)
	}
	if err != nil {
		a.printf("%s of %s failed: %s\n", kind.noun(), l.SID, a.explain(err))
	}
	if res != nil {
		a.printf("%s\n", resultBody(res, kind, a.lk, 80))
	}
	return res, err
}

// status shows a landscape's status and offers what to do about it.
func (a *plain) status(l spec.Landscape) error {
	s, err := a.cfg.Engine.Status(a.ctx, l)
	if err != nil {
		a.printf("Status of %s failed: %s\n", l.SID, a.explain(err))
		return a.interruptedOr(nil)
	}
	a.printf("\n%s\n\n", statusBody(s, a.lk, 80))
	next := "back"
	if err := a.askChoice("What next?", "", []choice{
		{"Apply " + l.SID + " to repair it", "apply"}, {"Destroy " + l.SID, "destroy"}, {"Back", "back"},
	}, &next, func(string) error { return nil }); err != nil {
		return err
	}
	switch next {
	case "apply":
		return a.planAndApply(l)
	case "destroy":
		return a.destroy(l)
	}
	return nil
}

// destroy previews, asks for the SID, and destroys.
func (a *plain) destroy(l spec.Landscape) error {
	p, err := a.cfg.Engine.PreviewDestroy(a.ctx, l)
	if err != nil {
		a.printf("Preview of destroying %s failed: %s\n", l.SID, a.explain(err))
		return a.interruptedOr(nil)
	}
	a.printf("\n%s\n\n", destroyBody(p, a.lk, 80))
	typed := ""
	in := huh.NewInput().Title(fmt.Sprintf("Type %s to destroy it in both regions (anything else cancels): ", l.SID)).Value(&typed)
	if err := a.ask("Type "+l.SID, in); err != nil {
		return err
	}
	if strings.TrimSpace(typed) != l.SID {
		a.printf("That is not %s: nothing was destroyed.\n", l.SID)
		return nil
	}
	a.noteFailure(runDestroy, l)(a.runOp(runDestroy, l))
	a.refreshKnown()
	return a.stopped(runDestroy, l)
}
