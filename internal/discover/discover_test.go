package discover

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hanavault/hanavault/internal/cloud"
)

var throttled = &cloud.Error{Service: "iam", Op: "ListRoles", Code: cloud.CodeThrottling, Message: "Rate exceeded"}

func TestIdentityIsCachedAndFailuresAreNot(t *testing.T) {
	f := newFake()
	f.identity = cloud.CallerIdentity{Account: acct, Arn: "arn:aws:sts::" + acct + ":assumed-role/admin/jane", UserID: "AROA:jane"}
	f.fail("sts:GetCallerIdentity", &cloud.Error{Service: "sts", Op: "GetCallerIdentity", Code: cloud.CodeExpiredToken})
	d := New(f, "eu-central-1")
	ctx := context.Background()

	if _, err := d.Identity(ctx); !cloud.IsCode(err, cloud.CodeExpiredToken) {
		t.Fatalf("first Identity: err = %v, want the ExpiredToken failure", err)
	}
	id, err := d.Identity(ctx)
	if err != nil || id != f.identity {
		t.Fatalf("second Identity = %+v, %v; want a retry that succeeds", id, err)
	}
	if _, err := d.Identity(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.count("sts:GetCallerIdentity"); n != 2 {
		t.Errorf("GetCallerIdentity called %d times, want 2 (failure retried, success cached)", n)
	}
}

func TestRegions(t *testing.T) {
	f := newFake()
	f.regions = []cloud.Region{
		{Name: "us-east-1", OptInStatus: "opt-in-not-required"},
		{Name: "me-central-1", OptInStatus: "not-opted-in"},
		{Name: "eu-central-1", OptInStatus: "opt-in-not-required"},
		{Name: "af-south-1", OptInStatus: "opted-in"},
		{Name: "xx-future-1", OptInStatus: "not-opted-in"},
	}
	d := New(f, "")
	got, err := d.Regions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []RegionInfo{
		{Name: "af-south-1", Description: "Africa (Cape Town)", OptInStatus: "opted-in", Enabled: true},
		{Name: "eu-central-1", Description: "Europe (Frankfurt)", OptInStatus: "opt-in-not-required", Enabled: true},
		{Name: "us-east-1", Description: "US East (N. Virginia)", OptInStatus: "opt-in-not-required", Enabled: true},
		{Name: "me-central-1", Description: "Middle East (UAE)", OptInStatus: "not-opted-in", Enabled: false},
		{Name: "xx-future-1", Description: "", OptInStatus: "not-opted-in", Enabled: false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Regions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"us-east-1"}, f.asked); diff != "" {
		t.Errorf("DescribeRegions asked in (-want +got):\n%s", diff)
	}

	got[0].Name = "mutated"
	again, err := d.Regions(context.Background())
	if err != nil || again[0].Name != "af-south-1" {
		t.Errorf("cached regions changed through a returned slice: %+v %v", again[0], err)
	}
	if n := f.count("ec2:DescribeRegions"); n != 1 {
		t.Errorf("DescribeRegions called %d times, want 1", n)
	}

	f2 := newFake()
	f2.regions = f.regions
	if _, err := New(f2, "eu-west-1").Regions(context.Background()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"eu-west-1"}, f2.asked); diff != "" {
		t.Errorf("with a home region, DescribeRegions asked in (-want +got):\n%s", diff)
	}
}

// ec2Fixture is an account with EC2 roles spread over several pages.
func ec2Fixture() *fakeAccount {
	f := newFake()
	f.maxPage = 2
	ec2 := trust(`"ec2.amazonaws.com"`, `"sts:AssumeRole"`)
	f.roles = []cloud.Role{
		role("web", "/app/", cloud.EncodePolicyDocument(ec2)),
		role("lambda-only", "", cloud.EncodePolicyDocument(trust(`"lambda.amazonaws.com"`, `"sts:AssumeRole"`))),
		role("batch", "", cloud.EncodePolicyDocument(trust(`["lambda.amazonaws.com","ec2.amazonaws.com"]`, `["sts:TagSession","sts:AssumeRole"]`))),
		role("AWSServiceRoleForEC2Thing", "/aws-service-role/ec2.amazonaws.com/", cloud.EncodePolicyDocument(ec2)),
		role("plain-json", "", ec2),
		role("denied", "", cloud.EncodePolicyDocument(`{"Statement":[`+
			`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},`+
			`{"Effect":"Deny","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:*"}]}`)),
		role("tag-only", "", cloud.EncodePolicyDocument(trust(`"ec2.amazonaws.com"`, `"sts:TagSession"`))),
		role("single-statement", "", cloud.EncodePolicyDocument(`{"Statement":{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":"sts:*"}}`)),
		role("trusts-account", "", cloud.EncodePolicyDocument(`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`)),
		role("empty-in-list", "", ""),
		role("gone", "", ""),
		role("garbage", "", "%ZZ not a policy"),
	}
	full := role("empty-in-list", "", cloud.EncodePolicyDocument(ec2))
	f.full = map[string]cloud.Role{"empty-in-list": full}
	f.profiles = []cloud.InstanceProfile{
		profile("web-profile", "web"),
		profile("empty-profile"),
		profile("batch-b", "batch"),
		profile("lambda-profile", "lambda-only"),
		profile("batch-a", "batch"),
	}
	return f
}

func TestEC2Roles(t *testing.T) {
	f := ec2Fixture()
	d := New(f, "eu-central-1")
	got, err := d.EC2Roles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []RoleInfo{
		{Name: "batch", Arn: "arn:aws:iam::123456789012:role/batch", Path: "/", InstanceProfiles: []string{"batch-a", "batch-b"},
			Reasons: []string{"trusts ec2.amazonaws.com", "instance profile batch-a", "instance profile batch-b"}},
		{Name: "web", Arn: "arn:aws:iam::123456789012:role/app/web", Path: "/app/", InstanceProfiles: []string{"web-profile"},
			Reasons: []string{"trusts ec2.amazonaws.com", "instance profile web-profile"}},
		{Name: "empty-in-list", Arn: "arn:aws:iam::123456789012:role/empty-in-list", Path: "/", Reasons: []string{"trusts ec2.amazonaws.com"}},
		{Name: "plain-json", Arn: "arn:aws:iam::123456789012:role/plain-json", Path: "/", Reasons: []string{"trusts ec2.amazonaws.com"}},
		{Name: "single-statement", Arn: "arn:aws:iam::123456789012:role/single-statement", Path: "/", Reasons: []string{"trusts ec2.amazonaws.com"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EC2Roles (-want +got):\n%s", diff)
	}
	// 12 roles in pages of 2, 5 profiles in pages of 2: every page read once.
	if n := f.count("iam:ListRoles"); n != 6 {
		t.Errorf("ListRoles called %d times, want 6 pages", n)
	}
	if n := f.count("iam:ListInstanceProfiles"); n != 3 {
		t.Errorf("ListInstanceProfiles called %d times, want 3 pages", n)
	}
	if n := f.count("iam:GetRole"); n != 2 {
		t.Errorf("GetRole called %d times, want 2 (only roles listed without a trust policy)", n)
	}

	before := f.total()
	got[0].Reasons[0] = "mutated"
	again, err := d.EC2Roles(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("second EC2Roles differs (-want +got):\n%s", diff)
	}
	if f.total() != before {
		t.Errorf("second EC2Roles made %d AWS calls, want 0", f.total()-before)
	}
}

func TestEC2RolesConcurrentCallersShareCalls(t *testing.T) {
	f := ec2Fixture()
	d := New(f, "eu-central-1")
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if roles, err := d.EC2Roles(context.Background()); err != nil || len(roles) != 5 {
				t.Errorf("concurrent EC2Roles = %d roles, %v", len(roles), err)
			}
		})
	}
	wg.Wait()
	if n := f.count("iam:ListRoles"); n != 6 {
		t.Errorf("10 concurrent callers made %d ListRoles calls, want 6 (one paging)", n)
	}
}

func TestEC2RolesFailureIsNotCached(t *testing.T) {
	f := ec2Fixture()
	f.fail("iam:ListRoles", nil, throttled) // page 1 works, page 2 is throttled
	d := New(f, "eu-central-1")
	_, err := d.EC2Roles(context.Background())
	if !cloud.IsCode(err, cloud.CodeThrottling) || !strings.Contains(err.Error(), "page 2") {
		t.Fatalf("EC2Roles with a throttled page: err = %v, want Throttling naming page 2", err)
	}
	if h := Explain(err); !strings.Contains(h.Problem, "throttling") {
		t.Errorf("Explain(throttled) = %+v", h)
	}
	roles, err := d.EC2Roles(context.Background())
	if err != nil || len(roles) != 5 {
		t.Fatalf("retry after failure = %d roles, %v; want 5 roles", len(roles), err)
	}
	if n := f.count("iam:ListRoles"); n != 2+6 {
		t.Errorf("ListRoles called %d times, want 2 (failed) + 6 (retry from page 1)", n)
	}
}

func TestEC2RolesRejectsStuckMarker(t *testing.T) {
	f := newFake()
	f.roles = []cloud.Role{role("a", "", "")}
	stuck := &stuckIAM{fakeIAM: fakeIAM{f: f}}
	d := New(stuckAccount{f, stuck}, "")
	if _, err := d.EC2Roles(context.Background()); err == nil || !strings.Contains(err.Error(), "marker") {
		t.Fatalf("EC2Roles with a truncated page without marker: err = %v, want an error about the marker", err)
	}
}

// stuckIAM answers ListRoles with a truncated page but no marker.
type stuckIAM struct{ fakeIAM }

func (s *stuckIAM) ListRoles(ctx context.Context, in cloud.ListRolesInput) (cloud.ListRolesOutput, error) {
	return cloud.ListRolesOutput{Roles: s.f.roles, IsTruncated: true}, nil
}

type stuckAccount struct {
	*fakeAccount
	iam *stuckIAM
}

func (s stuckAccount) IAM() cloud.IAM { return s.iam }

// adminFixture holds one role per admin route, plus decoys.
func adminFixture() *fakeAccount {
	f := newFake()
	f.maxPage = 2
	sso := "/aws-reserved/sso.amazonaws.com/eu-west-1/"
	f.roles = []cloud.Role{
		role("reader", "", ""),
		role("kms-admin", "", ""),
		role("AWSReservedSSO_AdministratorAccess_0123abcd", sso, ""),
		role("AWSReservedSSO_ReadOnlyAccess_4567ef01", sso, ""),
		role("deploy", "/ci/", ""),
		role("OrganizationAccountAccessRole", "", ""),
		role("AWSServiceRoleForSupport", "/aws-service-role/support.amazonaws.com/", ""),
		role("Administrator", "", ""),
	}
	cn := role("cn-ops", "", "")
	cn.Arn = cloud.RoleARN("aws-cn", acct, "/", "cn-ops")
	f.roles = append(f.roles, cn)
	f.attached = map[string][]cloud.AttachedPolicy{
		"AWSReservedSSO_AdministratorAccess_0123abcd": {managed("AdministratorAccess")},
		"AWSReservedSSO_ReadOnlyAccess_4567ef01":      {managed("ReadOnlyAccess")},
		// AdministratorAccess on the second page of attachments.
		"deploy":                        {managed("AmazonS3FullAccess"), managed("AWSKeyManagementServicePowerUser"), managed("AdministratorAccess")},
		"OrganizationAccountAccessRole": {managed("AdministratorAccess")},
		"AWSServiceRoleForSupport":      {managed("AdministratorAccess")},
		"reader":                        {managed("ReadOnlyAccess")},
		"cn-ops":                        {{PolicyName: "AdministratorAccess", PolicyArn: "arn:aws-cn:iam::aws:policy/AdministratorAccess"}},
		// A customer policy that merely shares the name does not count.
		"Administrator": {{PolicyName: "AdministratorAccess", PolicyArn: "arn:aws:iam::" + acct + ":policy/AdministratorAccess"}},
	}
	return f
}

func TestAdminRolesByEachRoute(t *testing.T) {
	f := adminFixture()
	d := New(f, "eu-central-1", WithTimer(func(time.Duration) <-chan time.Time { return nil }))
	res, err := d.AdminRolesResult(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	type short struct {
		Name    string
		Reasons []string
	}
	var got []short
	for _, r := range res.Roles {
		got = append(got, short{r.Name, r.Reasons})
	}
	want := []short{
		{"AWSReservedSSO_AdministratorAccess_0123abcd", []string{ReasonAdministratorAccess, ReasonIdentityCenterAdmin}},
		{"OrganizationAccountAccessRole", []string{ReasonAdministratorAccess, ReasonOrganizationAccess}},
		{"cn-ops", []string{ReasonAdministratorAccess}},
		{"deploy", []string{ReasonAdministratorAccess}},
		{"Administrator", []string{ReasonAdminName}},
		{"kms-admin", []string{ReasonAdminName}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AdminRoles (-want +got):\n%s", diff)
	}
	if res.Partial || res.Unchecked != 0 || res.Checked != 8 || res.Err != nil {
		t.Errorf("result: partial=%v checked=%d unchecked=%d err=%v; want complete, 8 checked", res.Partial, res.Checked, res.Unchecked, res.Err)
	}
	if n := f.count("iam:ListAttachedRolePolicies:AWSServiceRoleForSupport"); n != 0 {
		t.Errorf("service-linked role was checked %d times", n)
	}
	if n := f.count("iam:ListAttachedRolePolicies:deploy"); n != 2 {
		t.Errorf("deploy's attachments read in %d pages, want 2", n)
	}

	before := f.total()
	roles, err := d.AdminRoles(context.Background())
	if err != nil || len(roles) != len(want) {
		t.Fatalf("second AdminRoles = %d roles, %v", len(roles), err)
	}
	if f.total() != before {
		t.Errorf("second AdminRoles made %d AWS calls, want 0", f.total()-before)
	}
}

func TestAdminRolesShareRoleListWithEC2Roles(t *testing.T) {
	f := adminFixture()
	d := New(f, "eu-central-1")
	if _, err := d.EC2Roles(context.Background()); err != nil {
		t.Fatal(err)
	}
	pages := f.count("iam:ListRoles")
	if _, err := d.AdminRoles(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := f.count("iam:ListRoles"); n != pages {
		t.Errorf("AdminRoles listed roles again (%d calls, had %d)", n, pages)
	}
}

// TestAdminRolesBudget runs the checks with some roles that never answer
// and ends the budget only once every other check has finished.
func TestAdminRolesBudget(t *testing.T) {
	f := newFake()
	names := []string{"ops-admin", "fast-1", "fast-2", "fast-3", "fast-4", "fast-5", "slow-1", "slow-2", "slow-3"}
	for _, n := range names {
		f.roles = append(f.roles, role(n, "", ""))
	}
	f.attached["fast-2"] = []cloud.AttachedPolicy{managed("AdministratorAccess")}
	f.attached["slow-2"] = []cloud.AttachedPolicy{managed("AdministratorAccess")}
	f.block = map[string]bool{"slow-1": true, "slow-2": true, "slow-3": true}

	var fastDone, slowStarted sync.WaitGroup
	fastDone.Add(6)
	slowStarted.Add(3)
	f.onAttached = func(role string, end bool) {
		switch {
		case strings.HasPrefix(role, "slow") && !end:
			slowStarted.Done()
		case !strings.HasPrefix(role, "slow") && end:
			fastDone.Done()
		}
	}
	timer := make(chan time.Time, 1)
	var budgets []time.Duration
	d := New(f, "eu-central-1", WithAdminBudget(3*time.Second), WithTimer(func(d time.Duration) <-chan time.Time {
		budgets = append(budgets, d)
		return timer
	}))

	go func() {
		fastDone.Wait()
		slowStarted.Wait()
		timer <- time.Time{}
	}()
	res, err := d.AdminRolesResult(context.Background())
	if err != nil {
		t.Fatalf("AdminRolesResult: %v", err)
	}
	var got []string
	for _, r := range res.Roles {
		got = append(got, r.Name)
	}
	if diff := cmp.Diff([]string{"fast-2", "ops-admin"}, got); diff != "" {
		t.Errorf("partial admin roles (-want +got):\n%s", diff)
	}
	if !res.Partial || res.Unchecked != 3 || res.Checked != 6 || res.Err != nil {
		t.Errorf("partial result: partial=%v checked=%d unchecked=%d err=%v; want partial, 6 checked, 3 unchecked", res.Partial, res.Checked, res.Unchecked, res.Err)
	}
	if diff := cmp.Diff([]time.Duration{3 * time.Second}, budgets); diff != "" {
		t.Errorf("budget asked of the timer (-want +got):\n%s", diff)
	}

	// The slow roles answer now. A second call checks only them.
	f.mu.Lock()
	f.block = nil
	f.onAttached = nil
	f.mu.Unlock()
	res, err = d.AdminRolesResult(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Partial || len(res.Roles) != 3 || res.Roles[1].Name != "slow-2" {
		t.Errorf("resumed result: partial=%v roles=%+v; want complete with slow-2", res.Partial, res.Roles)
	}
	for _, n := range names {
		if c := f.count("iam:ListAttachedRolePolicies:" + n); c != 1 {
			t.Errorf("%s checked %d times in total, want 1", n, c)
		}
	}
}

func TestAdminRolesStopOnError(t *testing.T) {
	f := adminFixture()
	denied := &cloud.Error{Service: "iam", Op: "ListAttachedRolePolicies", Code: cloud.CodeAccessDenied, Message: "not authorized"}
	f.fail("iam:ListAttachedRolePolicies", denied)
	d := New(f, "eu-central-1", WithConcurrency(1), WithTimer(func(time.Duration) <-chan time.Time { return nil }))
	res, err := d.AdminRolesResult(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !res.Partial || !errors.Is(res.Err, denied) {
		t.Fatalf("result after AccessDenied: partial=%v err=%v; want partial with the denial", res.Partial, res.Err)
	}
	if n := f.count("iam:ListAttachedRolePolicies"); n != 1 {
		t.Errorf("%d attachment checks after the first was denied, want it to stop at 1", n)
	}
	var names []string
	for _, r := range res.Roles {
		names = append(names, r.Name)
	}
	want := []string{"AWSReservedSSO_AdministratorAccess_0123abcd", "Administrator", "OrganizationAccountAccessRole", "kms-admin"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("name candidates after denial (-want +got):\n%s", diff)
	}
	if h := Explain(res.Err); !strings.Contains(h.Fix, "type the role name") || !strings.Contains(h.Fix, "iam:ListAttachedRolePolicies") {
		t.Errorf("Explain(denied attachments) = %+v", h)
	}

	// Not cached: the next call checks again and completes.
	res, err = d.AdminRolesResult(context.Background())
	if err != nil || res.Partial || res.Err != nil || len(res.Roles) != 6 {
		t.Fatalf("retry: partial=%v err=%v roles=%d, %v; want complete with 6 roles", res.Partial, res.Err, len(res.Roles), err)
	}
}

func TestAdminRolesCallerCancel(t *testing.T) {
	f := adminFixture()
	f.block = map[string]bool{"reader": true, "kms-admin": true}
	ctx, cancel := context.WithCancel(context.Background())
	f.onAttached = func(role string, end bool) {
		if role == "kms-admin" && !end {
			cancel()
		}
	}
	d := New(f, "eu-central-1", WithTimer(func(time.Duration) <-chan time.Time { return nil }))
	if _, err := d.AdminRolesResult(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("AdminRolesResult with a cancelled caller: err = %v, want context.Canceled", err)
	}
}

func TestWildcardMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"sts:AssumeRole", "sts:AssumeRole", true},
		{"STS:assumerole", "sts:AssumeRole", true},
		{"sts:*", "sts:AssumeRole", true},
		{"*", "sts:AssumeRole", true},
		{"sts:Assume*", "sts:AssumeRole", true},
		{"sts:Assume?ole", "sts:AssumeRole", true},
		{"sts:AssumeRole*", "sts:AssumeRole", true},
		{"sts:AssumeRoleWithSAML", "sts:AssumeRole", false},
		{"sts:TagSession", "sts:AssumeRole", false},
		{"s*:*Role", "sts:AssumeRole", true},
		{"*:Assume", "sts:AssumeRole", false},
	} {
		if got := wildcardMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func TestTrustsServiceNotAction(t *testing.T) {
	doc := `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"NotAction":"sts:TagSession"}]}`
	if _, ok := trustsService(doc, "ec2.amazonaws.com"); !ok {
		t.Errorf("NotAction sts:TagSession should allow sts:AssumeRole")
	}
	doc = `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"NotAction":"sts:*"}]}`
	if _, ok := trustsService(doc, "ec2.amazonaws.com"); ok {
		t.Errorf("NotAction sts:* must not allow sts:AssumeRole")
	}
	doc = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`
	if _, ok := trustsService(doc, "ec2.amazonaws.com"); ok {
		t.Errorf(`Principal "*" counted as trusting EC2 explicitly`)
	}
}

func TestExplain(t *testing.T) {
	denied := func(svc, op string) error {
		return fmt.Errorf("list: %w", &cloud.Error{Service: svc, Op: op, Code: cloud.CodeAccessDenied, Message: "User: x is not authorized"})
	}
	for _, tc := range []struct {
		name       string
		err        error
		problem    string // substring of Problem
		fix        string // substring of Fix ("" = Fix must be empty)
		profileFix bool   // Fix names --profile prod
	}{
		{"no credentials", errors.New("operation error STS: GetCallerIdentity, failed to retrieve credentials: failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, dial tcp 169.254.169.254:80: i/o timeout"),
			"No AWS credentials", "aws configure", true},
		{"static empty", errors.New("failed to retrieve credentials: static credentials are empty"), "No AWS credentials", "aws configure", true},
		{"expired token code", &cloud.Error{Service: "sts", Op: "GetCallerIdentity", Code: cloud.CodeExpiredToken, Message: "The security token included in the request is expired"},
			"expired", "aws sso login --profile prod", true},
		{"expired token exception", &cloud.Error{Service: "kms", Op: "ListKeys", Code: cloud.CodeExpiredTokenException}, "expired", "aws sts get-session-token --profile prod", true},
		{"token has expired text", errors.New("refresh: token has expired"), "expired", "aws sso login", true},
		{"sso session", errors.New("failed to refresh cached credentials, the SSO session has expired or is invalid: open ~/.aws/sso/cache/x.json: no such file"),
			"IAM Identity Center", "aws sso login --profile prod", true},
		{"invalid key", &cloud.Error{Service: "sts", Op: "GetCallerIdentity", Code: cloud.CodeInvalidClientTokenID}, "InvalidClientTokenId", "aws configure --profile prod", true},
		{"unrecognized client", &cloud.Error{Service: "kms", Op: "ListKeys", Code: cloud.CodeUnrecognizedClient}, "UnrecognizedClientException", "aws configure", true},
		{"missing profile", errors.New("failed to get shared config profile, prod"), "profile does not exist", "aws configure sso --profile prod", true},
		{"list roles denied", denied("iam", "ListRoles"), "iam:ListRoles", "you can still type the role name", false},
		{"instance profiles denied", denied("iam", "ListInstanceProfiles"), "iam:ListInstanceProfiles", "type the role name", false},
		{"regions denied", &cloud.Error{Service: "ec2", Op: "DescribeRegions", Code: cloud.CodeUnauthorizedOperation}, "ec2:DescribeRegions", "eu-central-1", false},
		{"other denied", denied("kms", "ListAliases"), "kms:ListAliases was denied", "allow kms:ListAliases", false},
		{"throttled", fmt.Errorf("list IAM roles: %w", throttled), "throttling", "Wait a minute", false},
		{"request limit", &cloud.Error{Service: "ec2", Op: "DescribeRegions", Code: cloud.CodeRequestLimitExceeded}, "throttling", "retry", false},
		{"deadline", fmt.Errorf("list IAM roles: %w", context.DeadlineExceeded), "could not be reached in time", "network", false},
		{"cancelled", context.Canceled, "cancelled", "", false},
		{"unknown", errors.New("something odd happened"), "something odd happened", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := ExplainProfile(tc.err, "prod")
			if !strings.Contains(strings.ToLower(h.Problem), strings.ToLower(tc.problem)) {
				t.Errorf("Problem = %q, want it to contain %q", h.Problem, tc.problem)
			}
			if tc.fix == "" && h.Fix != "" {
				t.Errorf("Fix = %q, want none", h.Fix)
			}
			if !strings.Contains(strings.ToLower(h.Fix), strings.ToLower(tc.fix)) {
				t.Errorf("Fix = %q, want it to contain %q", h.Fix, tc.fix)
			}
			if tc.profileFix && !strings.Contains(h.Fix, "--profile prod") {
				t.Errorf("Fix = %q does not name the profile", h.Fix)
			}
		})
	}
	if h := Explain(nil); h != (Hint{}) {
		t.Errorf("Explain(nil) = %+v, want empty", h)
	}
}

func TestExplainUsesAWSProfile(t *testing.T) {
	exp := &cloud.Error{Service: "sts", Op: "GetCallerIdentity", Code: cloud.CodeExpiredToken}
	t.Setenv("AWS_PROFILE", "sap-prd")
	if h := Explain(exp); !strings.Contains(h.Fix, "aws sso login --profile sap-prd") {
		t.Errorf("Explain with AWS_PROFILE: Fix = %q", h.Fix)
	}
	t.Setenv("AWS_PROFILE", "")
	if h := Explain(exp); strings.Contains(h.Fix, "--profile") || !strings.Contains(h.Fix, "aws sso login") {
		t.Errorf("Explain without a profile: Fix = %q, want plain aws sso login", h.Fix)
	}
}
