package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/discover"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// fakeEngine is a scripted Engine. Each operation's behaviour is a func
// field; calls are recorded.
type fakeEngine struct {
	mu    sync.Mutex
	calls []string
	lands []spec.Landscape

	identity    steps.Identity
	identityErr error
	known       []steps.KnownLandscape
	knownErr    error
	preflight   func(n int, l spec.Landscape) ([]steps.PreflightIssue, error)
	plan        func(l spec.Landscape) (*steps.Plan, error)
	apply       func(n int, ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error)
	rollback    func(ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error)
	status      func(l spec.Landscape) (*steps.Status, error)
	preview     func(l spec.Landscape) (*steps.DestroyPreview, error)
	destroy     func(ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error)
	gone        []steps.DestroyedLandscape // RecentlyDestroyed's answer
}

func (f *fakeEngine) RecentlyDestroyed(context.Context) ([]steps.DestroyedLandscape, error) {
	f.record("RecentlyDestroyed", spec.Landscape{})
	return slices.Clone(f.gone), nil
}

var errFake = errors.New("fake: no behaviour scripted")

func (f *fakeEngine) record(op string, l spec.Landscape) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, op)
	f.lands = append(f.lands, l)
	n := 0
	for _, c := range f.calls {
		if c == op {
			n++
		}
	}
	return n
}

// count returns how many times op was called.
func (f *fakeEngine) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == op {
			n++
		}
	}
	return n
}

// last returns the landscape of op's last call.
func (f *fakeEngine) last(op string) spec.Landscape {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.calls) - 1; i >= 0; i-- {
		if f.calls[i] == op {
			return f.lands[i]
		}
	}
	return spec.Landscape{}
}

func (f *fakeEngine) Identity(context.Context) (steps.Identity, error) {
	f.record("Identity", spec.Landscape{})
	return f.identity, f.identityErr
}

func (f *fakeEngine) Known(context.Context, bool) ([]steps.KnownLandscape, error) {
	f.record("Known", spec.Landscape{})
	return slices.Clone(f.known), f.knownErr
}

func (f *fakeEngine) Preflight(_ context.Context, l spec.Landscape) ([]steps.PreflightIssue, error) {
	n := f.record("Preflight", l)
	if f.preflight == nil {
		return nil, nil
	}
	return f.preflight(n, l)
}

func (f *fakeEngine) Plan(_ context.Context, l spec.Landscape) (*steps.Plan, error) {
	f.record("Plan", l)
	if f.plan == nil {
		return nil, errFake
	}
	return f.plan(l)
}

func (f *fakeEngine) Apply(ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
	n := f.record("Apply", l)
	if f.apply == nil {
		return nil, errFake
	}
	return f.apply(n, ctx, l, sink)
}

func (f *fakeEngine) RollbackLastRun(ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
	f.record("RollbackLastRun", l)
	if f.rollback == nil {
		return nil, errFake
	}
	return f.rollback(ctx, l, sink)
}

func (f *fakeEngine) Status(_ context.Context, l spec.Landscape) (*steps.Status, error) {
	f.record("Status", l)
	if f.status == nil {
		return nil, errFake
	}
	return f.status(l)
}

func (f *fakeEngine) PreviewDestroy(_ context.Context, l spec.Landscape) (*steps.DestroyPreview, error) {
	f.record("PreviewDestroy", l)
	if f.preview == nil {
		return nil, errFake
	}
	return f.preview(l)
}

func (f *fakeEngine) Destroy(ctx context.Context, l spec.Landscape, sink steps.Sink) (*steps.Result, error) {
	f.record("Destroy", l)
	if f.destroy == nil {
		return nil, errFake
	}
	return f.destroy(ctx, l, sink)
}

// fakeDiscovery answers discovery questions from fixed data, optionally
// after a gate opens.
type fakeDiscovery struct {
	regions          []discover.RegionInfo
	regionsErr       error
	ec2, admin       []discover.RoleInfo
	ec2Err, adminErr error
	gate             chan struct{}
}

func (d *fakeDiscovery) wait(ctx context.Context) error {
	if d.gate == nil {
		return nil
	}
	select {
	case <-d.gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *fakeDiscovery) Regions(ctx context.Context) ([]discover.RegionInfo, error) {
	if err := d.wait(ctx); err != nil {
		return nil, err
	}
	return d.regions, d.regionsErr
}

func (d *fakeDiscovery) EC2Roles(ctx context.Context) ([]discover.RoleInfo, error) {
	if err := d.wait(ctx); err != nil {
		return nil, err
	}
	return d.ec2, d.ec2Err
}

func (d *fakeDiscovery) AdminRoles(ctx context.Context) ([]discover.RoleInfo, error) {
	if err := d.wait(ctx); err != nil {
		return nil, err
	}
	return d.admin, d.adminErr
}

const testAccount = "123456789012"

var testIdentity = steps.Identity{Account: testAccount, Partition: "aws", Arn: "arn:aws:iam::123456789012:user/basis-admin"}

func testRegions() []discover.RegionInfo {
	return []discover.RegionInfo{
		{Name: "eu-central-1", Description: "Europe (Frankfurt)", OptInStatus: "opt-in-not-required", Enabled: true},
		{Name: "eu-west-1", Description: "Europe (Ireland)", OptInStatus: "opt-in-not-required", Enabled: true},
		{Name: "eu-south-2", Description: "Europe (Spain)", OptInStatus: "not-opted-in", Enabled: false},
		{Name: "us-east-1", Description: "US East (N. Virginia)", OptInStatus: "opt-in-not-required", Enabled: true},
	}
}

func testEC2Roles() []discover.RoleInfo {
	return []discover.RoleInfo{{
		Name: "hana-backup-ec2", Arn: "arn:aws:iam::123456789012:role/hana-backup-ec2", Path: "/",
		InstanceProfiles: []string{"hana-backup-ec2"}, Reasons: []string{"trusts ec2.amazonaws.com"},
	}}
}

func testAdminRoles() []discover.RoleInfo {
	return []discover.RoleInfo{{
		Name: "Admin", Arn: "arn:aws:iam::123456789012:role/Admin", Path: "/",
		Reasons: []string{"AdministratorAccess attached"},
	}}
}

func goodDiscovery() *fakeDiscovery {
	return &fakeDiscovery{regions: testRegions(), ec2: testEC2Roles(), admin: testAdminRoles()}
}

// testLandscape is PRD as the form would produce it with the defaults.
func testLandscape() spec.Landscape {
	l := spec.Defaults("PRD", testAccount, "eu-central-1", "eu-west-1")
	l.EC2RoleToRunBackup = "arn:aws:iam::123456789012:role/hana-backup-ec2"
	l.KMSAdminRole = "arn:aws:iam::123456789012:role/Admin"
	return l
}

// testPlan is a small plan of l with one update, warnings and documents.
func testPlan(l spec.Landscape) *steps.Plan {
	return &steps.Plan{
		SID: l.SID, Identity: testIdentity, SourceRegion: l.SourceRegion, ReplicationRegion: l.ReplicationRegion,
		Changes: []steps.Change{
			{ID: "source/key", Region: l.SourceRegion, Component: "key", Resource: l.OriginalCMKAlias, Title: "KMS key", Action: steps.ActionCreate},
			{ID: "source/bucket", Region: l.SourceRegion, Component: "bucket", Resource: l.OriginalBucketName, Title: "Backup bucket", Action: steps.ActionCreate},
			{ID: "source/bucket/versioning", Region: l.SourceRegion, Component: "bucket", Resource: l.OriginalBucketName, Title: "Versioning", Action: steps.ActionUpdate,
				Fields: []steps.FieldDiff{{Name: "status", Desired: "Enabled", Actual: "Suspended"}}},
			{ID: "replica/key", Region: l.ReplicationRegion, Component: "key", Resource: l.ReplicationCMKAlias, Title: "KMS key", Action: steps.ActionCreate},
			{ID: "replica/bucket", Region: l.ReplicationRegion, Component: "bucket", Resource: l.ReplicationBucketName, Title: "Replica bucket", Action: steps.ActionCreate},
			{ID: "replica/bucket/public-access", Region: l.ReplicationRegion, Component: "bucket", Resource: l.ReplicationBucketName, Title: "Block Public Access", Action: steps.ActionInSync},
			{ID: "global/replication-role", Region: "global", Component: "replication-role", Resource: "hanavault-PRD-replication", Title: "Replication role", Action: steps.ActionCreate},
		},
		Warnings: []steps.Warning{{Field: "lifecycle.transitionDays", Message: "Backups older than 7 days are archived in GLACIER: restoring them takes hours."}},
		Documents: []steps.Document{
			{Name: "Bucket policy: " + l.OriginalBucketName, Region: l.SourceRegion, Resource: l.OriginalBucketName,
				JSON: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"DenyInsecureTransport\", \"Effect\": \"Deny\"}\n  ]\n}"},
			{Name: "Key policy: " + l.OriginalCMKAlias, Region: l.SourceRegion, Resource: l.OriginalCMKAlias,
				JSON: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"KeyAdministration\", \"Effect\": \"Allow\"}\n  ]\n}"},
		},
	}
}

// playChanges emits started and done for every change that acts, failing
// the ones in fail, and returns the result.
func playChanges(p *steps.Plan, sink steps.Sink, fail map[string]string) *steps.Result {
	res := &steps.Result{JournalPath: "/state/123456789012/PRD/journal.ndjson", Elapsed: 1500 * time.Millisecond}
	sink.Emit(steps.Event{Kind: steps.EventNote, Detail: "Journal: " + res.JournalPath})
	for _, c := range p.Changes {
		if c.Action == steps.ActionInSync {
			continue
		}
		sink.Emit(steps.Event{Kind: steps.EventStarted, StepID: c.ID, Region: c.Region, Resource: c.Resource, Title: c.Title, Action: c.Action})
		if msg, ok := fail[c.ID]; ok {
			sink.Emit(steps.Event{Kind: steps.EventFailed, StepID: c.ID, Region: c.Region, Error: msg, Elapsed: 200 * time.Millisecond})
			res.Failed++
			continue
		}
		sink.Emit(steps.Event{Kind: steps.EventDone, StepID: c.ID, Region: c.Region, Elapsed: 400 * time.Millisecond})
		res.Succeeded++
	}
	return res
}

func testStatus(l spec.Landscape) *steps.Status {
	return &steps.Status{
		SID: l.SID, Identity: testIdentity, SourceRegion: l.SourceRegion, ReplicationRegion: l.ReplicationRegion,
		Overall: steps.OverallDrift,
		Resources: []steps.ResourceStatus{
			{ID: "source/key", Region: l.SourceRegion, Resource: l.OriginalCMKAlias, Title: "KMS key", State: steps.StateOK},
			{ID: "source/bucket/lifecycle", Region: l.SourceRegion, Resource: l.OriginalBucketName, Title: "Lifecycle", State: steps.StateDrift,
				Fields: []steps.FieldDiff{{Name: "transition", Desired: "GLACIER after 7 days", Actual: "none"}}},
			{ID: "replica/bucket", Region: l.ReplicationRegion, Resource: l.ReplicationBucketName, Title: "Replica bucket", State: steps.StateOK},
		},
		Replication: steps.ReplicationHealth{Configured: true, Sampled: 20, Completed: 18, Pending: 2},
		NextAction:  "Run apply to put the lifecycle rule back.",
		Summary:     map[steps.ResourceState]int{steps.StateOK: 2, steps.StateDrift: 1},
	}
}

func testPreview(l spec.Landscape) *steps.DestroyPreview {
	return &steps.DestroyPreview{
		SID: l.SID, Identity: testIdentity,
		Changes: []steps.Change{
			{ID: "source/bucket", Region: l.SourceRegion, Resource: l.OriginalBucketName, Title: "Backup bucket", Action: steps.ActionDelete},
			{ID: "source/key", Region: l.SourceRegion, Resource: l.OriginalCMKAlias, Title: "KMS key", Action: steps.ActionDelete},
			{ID: "replica/bucket", Region: l.ReplicationRegion, Resource: l.ReplicationBucketName, Title: "Replica bucket", Action: steps.ActionDelete},
		},
		Buckets: []steps.BucketContents{
			{Bucket: l.OriginalBucketName, Region: l.SourceRegion, Exists: true, Versions: 1200, DeleteMarkers: 40, Bytes: 5 << 30},
			{Bucket: l.ReplicationBucketName, Region: l.ReplicationRegion, Exists: true, Versions: 1150, Bytes: 4 << 30},
		},
		KeyDeletionWindow: 30,
		Keys: []steps.KeyInfo{
			{Region: l.SourceRegion, Alias: l.OriginalCMKAlias, KeyID: "1111", State: "Enabled"},
			{Region: l.ReplicationRegion, Alias: l.ReplicationCMKAlias, KeyID: "2222", State: "Enabled"},
		},
	}
}

// accessDenied is the error a call gets without IAM permissions; action
// is service:Operation.
func accessDenied(action string) error {
	svc, op, _ := strings.Cut(action, ":")
	return &cloud.Error{Service: svc, Op: op, Code: cloud.CodeAccessDenied, HTTPStatus: 403,
		Message: "User: arn:aws:iam::123456789012:user/basis-admin is not authorized to perform: " + action}
}
