package memaws_test

import (
	"errors"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
)

const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func TestCallerIdentity(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	id, err := a.STS().GetCallerIdentity(ctx)
	must(t, err)
	wantArn := "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_5e1f0c2a9b7d3e41/basis.admin"
	if id.Account != acct || id.Arn != wantArn || !strings.HasPrefix(id.UserID, "AROA") || !strings.HasSuffix(id.UserID, ":basis.admin") {
		t.Fatalf("default identity %+v", id)
	}
	backup, err := a.IAM().GetRole(ctx, memaws.SeedBackupRole)
	must(t, err)
	id, err = a.As(backup.Arn).STS().GetCallerIdentity(ctx)
	must(t, err)
	if !strings.HasPrefix(id.Arn, "arn:aws:sts::123456789012:assumed-role/hana-backup-ec2/") || !strings.HasPrefix(id.UserID, backup.RoleID+":") {
		t.Fatalf("role identity %+v (role ID %s)", id, backup.RoleID)
	}
	_, err = a.As(roleArn("never-created")).STS().GetCallerIdentity(ctx)
	wantCode(t, err, cloud.CodeInvalidClientTokenID)

	cn := memaws.New(memaws.Options{Partition: "aws-cn", AccountID: "210987654321", NoSeed: true})
	id, err = cn.STS().GetCallerIdentity(ctx)
	must(t, err)
	if id.Partition() != "aws-cn" || id.Account != "210987654321" {
		t.Fatalf("aws-cn identity %+v", id)
	}
	regions, err := cn.EC2("cn-north-1").DescribeRegions(ctx, true)
	must(t, err)
	if len(regions) != 2 || regions[0].Endpoint != "ec2.cn-north-1.amazonaws.com.cn" {
		t.Fatalf("aws-cn regions %+v", regions)
	}
}

func TestDescribeRegionsAndDisabledRegions(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	enabled, err := a.EC2(src).DescribeRegions(ctx, false)
	must(t, err)
	all, err := a.EC2(src).DescribeRegions(ctx, true)
	must(t, err)
	status := map[string]string{}
	for _, r := range all {
		status[r.Name] = r.OptInStatus
	}
	if len(all) != 19 || len(enabled) != 16 {
		t.Fatalf("got %d regions (%d enabled), want 19 (16)", len(all), len(enabled))
	}
	for name, want := range map[string]string{"eu-south-1": "not-opted-in", "af-south-1": "not-opted-in", "ap-east-1": "not-opted-in",
		"me-south-1": "opted-in", "eu-central-1": "opt-in-not-required"} {
		if status[name] != want {
			t.Errorf("%s: %q, want %q", name, status[name], want)
		}
	}
	for _, r := range enabled {
		if r.OptInStatus == "not-opted-in" {
			t.Errorf("all=false listed %s", r.Name)
		}
	}
	_, err = a.S3("eu-south-1").ListBuckets(ctx)
	wantCode(t, err, cloud.CodeInvalidClientTokenID)
	_, err = a.KMS("af-south-1").ListKeys(ctx, "")
	wantCode(t, err, cloud.CodeUnrecognizedClient)
	_, err = a.KMS("me-south-1").ListKeys(ctx, "")
	must(t, err)
	_, err = a.KMS("moon-1").ListKeys(ctx, "")
	if err == nil || cloud.ErrorCode(err) != "" {
		t.Fatalf("unknown region: %v, want a transport-style error", err)
	}
}

func TestCreateRoleValidation(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	iam := a.IAM()
	tests := []struct {
		name string
		in   cloud.CreateRoleInput
		code string
	}{
		{"long name", cloud.CreateRoleInput{RoleName: strings.Repeat("r", 65), AssumeRolePolicyDocument: ec2Trust}, cloud.CodeIAMValidationError},
		{"bad char", cloud.CreateRoleInput{RoleName: "hana/backup", AssumeRolePolicyDocument: ec2Trust}, cloud.CodeIAMValidationError},
		{"bad path", cloud.CreateRoleInput{RoleName: "r1", Path: "noslash", AssumeRolePolicyDocument: ec2Trust}, cloud.CodeIAMValidationError},
		{"bad JSON", cloud.CreateRoleInput{RoleName: "r2", AssumeRolePolicyDocument: `{"Statement":[`}, cloud.CodeMalformedPolicyDoc},
		{"no principal", cloud.CreateRoleInput{RoleName: "r3", AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`}, cloud.CodeMalformedPolicyDoc},
		{"resource", cloud.CreateRoleInput{RoleName: "r4", AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`}, cloud.CodeMalformedPolicyDoc},
		{"unknown role principal", cloud.CreateRoleInput{RoleName: "r5", AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + roleArn("ghost") + `"},"Action":"sts:AssumeRole"}]}`}, cloud.CodeMalformedPolicyDoc},
		{"aws tag", cloud.CreateRoleInput{RoleName: "r6", AssumeRolePolicyDocument: ec2Trust, Tags: []cloud.Tag{{Key: "aws:x", Value: "y"}}}, "InvalidInput"},
		{"duplicate ignoring case", cloud.CreateRoleInput{RoleName: "HANA-BACKUP-EC2", AssumeRolePolicyDocument: ec2Trust}, cloud.CodeEntityAlreadyExists},
		{"valid", cloud.CreateRoleInput{RoleName: "hanavault-HDB-replication", Path: "/hanavault/", AssumeRolePolicyDocument: ec2Trust,
			Tags: []cloud.Tag{{Key: "hanavault:sid", Value: "HDB"}}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := iam.CreateRole(ctx, tc.in)
			wantCode(t, err, tc.code)
		})
	}
	r, err := iam.GetRole(ctx, "hanavault-hdb-replication")
	must(t, err)
	if r.Arn != cloud.RoleARN("aws", acct, "/hanavault/", "hanavault-HDB-replication") || len(r.RoleID) != 21 ||
		!strings.HasPrefix(r.RoleID, "AROA") || len(r.Tags) != 1 || r.CreateDate.IsZero() {
		t.Fatalf("created role %+v", r)
	}
	_, err = iam.GetRole(ctx, "ghost")
	wantCode(t, err, cloud.CodeNoSuchEntity)
}

func TestIAMDocumentsAreURLEncoded(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	iam := a.IAM()
	_, err := iam.CreateRole(ctx, cloud.CreateRoleInput{RoleName: "enc", AssumeRolePolicyDocument: ec2Trust})
	must(t, err)
	inline := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::a+b"}]}`
	must(t, iam.PutRolePolicy(ctx, "enc", "list", inline))
	r, err := iam.GetRole(ctx, "enc")
	must(t, err)
	doc, err := iam.GetRolePolicy(ctx, "enc", "list")
	must(t, err)
	for _, raw := range []string{r.AssumeRolePolicyDocument, doc} {
		if strings.ContainsAny(raw, `{}" `) || !strings.HasPrefix(raw, "%7B") {
			t.Fatalf("document not URL-encoded: %s", raw)
		}
	}
	if strings.Contains(doc, "+") {
		t.Fatalf("spaces must be %%20 and '+' %%2B (RFC 3986): %s", doc)
	}
	plain, err := url.PathUnescape(doc)
	must(t, err)
	if plain != inline {
		t.Fatalf("decoded %s, want %s", plain, inline)
	}
	plain, err = cloud.DecodePolicyDocument(r.AssumeRolePolicyDocument)
	must(t, err)
	if plain != ec2Trust {
		t.Fatalf("trust decoded %s", plain)
	}
	list, err := iam.ListRoles(ctx, cloud.ListRolesInput{PathPrefix: "/"})
	must(t, err)
	for _, lr := range list.Roles {
		if lr.RoleName == "enc" && lr.AssumeRolePolicyDocument != r.AssumeRolePolicyDocument {
			t.Fatalf("ListRoles document %q", lr.AssumeRolePolicyDocument)
		}
	}
	_, err = iam.GetRolePolicy(ctx, "enc", "nope")
	wantCode(t, err, cloud.CodeNoSuchEntity)
}

func TestInlinePolicyValidation(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	iam := a.IAM()
	wantCode(t, iam.PutRolePolicy(ctx, "kms-admin", "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`), cloud.CodeMalformedPolicyDoc)
	wantCode(t, iam.PutRolePolicy(ctx, "kms-admin", "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`), cloud.CodeMalformedPolicyDoc)
	wantCode(t, iam.PutRolePolicy(ctx, "kms-admin", "p", `nope`), cloud.CodeMalformedPolicyDoc)
	wantCode(t, iam.PutRolePolicy(ctx, "ghost", "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`), cloud.CodeNoSuchEntity)
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["` + strings.Repeat("x", 10300) + `"]}]}`
	wantCode(t, iam.PutRolePolicy(ctx, "kms-admin", "p", big), cloud.CodeLimitExceeded)
	wantCode(t, iam.DeleteRolePolicy(ctx, "kms-admin", "p"), cloud.CodeNoSuchEntity)
	wantCode(t, iam.UpdateAssumeRolePolicy(ctx, "kms-admin", `{"Statement":`), cloud.CodeMalformedPolicyDoc)
	must(t, iam.UpdateAssumeRolePolicy(ctx, "kms-admin", ec2Trust))
	r, err := iam.GetRole(ctx, "kms-admin")
	must(t, err)
	if got, _ := cloud.DecodePolicyDocument(r.AssumeRolePolicyDocument); got != ec2Trust {
		t.Fatalf("trust after update %s", got)
	}
}

func TestListRolesPaging(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{SyntheticRoles: 250})
	iam := a.IAM()
	seen := map[string]bool{}
	var pages []int
	marker := ""
	for {
		out, err := iam.ListRoles(ctx, cloud.ListRolesInput{Marker: marker})
		must(t, err)
		pages = append(pages, len(out.Roles))
		for _, r := range out.Roles {
			if seen[r.RoleName] {
				t.Fatalf("role %s listed twice", r.RoleName)
			}
			seen[r.RoleName] = true
			if len(r.Tags) != 0 {
				t.Fatalf("ListRoles returned tags for %s", r.RoleName)
			}
		}
		if !out.IsTruncated {
			break
		}
		marker = out.Marker
	}
	total := len(a.Roles())
	if len(seen) != total || total < 260 || pages[0] != 100 || pages[1] != 100 {
		t.Fatalf("saw %d of %d roles in pages %v", len(seen), total, pages)
	}
	out, err := iam.ListRoles(ctx, cloud.ListRolesInput{PathPrefix: "/aws-reserved/", MaxItems: 5})
	must(t, err)
	if len(out.Roles) != 1 || out.Roles[0].RoleName != memaws.DefaultCallerRole || out.IsTruncated {
		t.Fatalf("path prefix listing %+v", out)
	}
	_, err = iam.ListRoles(ctx, cloud.ListRolesInput{MaxItems: 1001})
	wantCode(t, err, cloud.CodeIAMValidationError)
	_, err = iam.ListRoles(ctx, cloud.ListRolesInput{Marker: "garbage!"})
	wantCode(t, err, cloud.CodeIAMValidationError)
}

func TestDeleteRoleConflictOrder(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	iam := a.IAM()
	r := memaws.SeedBackupRole
	wantMessage(t, iam.DeleteRole(ctx, r), cloud.CodeDeleteConflict, "delete policies")
	names, err := iam.ListRolePolicies(ctx, r, "")
	must(t, err)
	for _, n := range names.PolicyNames {
		must(t, iam.DeleteRolePolicy(ctx, r, n))
	}
	wantMessage(t, iam.DeleteRole(ctx, r), cloud.CodeDeleteConflict, "detach all policies")
	att, err := iam.ListAttachedRolePolicies(ctx, r, "")
	must(t, err)
	if len(att.AttachedPolicies) == 0 {
		t.Fatal("seeded backup role has no attached policy")
	}
	for _, p := range att.AttachedPolicies {
		must(t, iam.DetachRolePolicy(ctx, r, p.PolicyArn))
	}
	wantCode(t, iam.DetachRolePolicy(ctx, r, att.AttachedPolicies[0].PolicyArn), cloud.CodeNoSuchEntity)
	wantMessage(t, iam.DeleteRole(ctx, r), cloud.CodeDeleteConflict, "instance profile")
	profiles, err := iam.ListInstanceProfilesForRole(ctx, r, "")
	must(t, err)
	if len(profiles.InstanceProfiles) != 1 || profiles.InstanceProfiles[0].Roles[0].RoleName != r {
		t.Fatalf("profiles of %s: %+v", r, profiles)
	}
	must(t, iam.RemoveRoleFromInstanceProfile(ctx, profiles.InstanceProfiles[0].InstanceProfileName, r))
	wantCode(t, iam.RemoveRoleFromInstanceProfile(ctx, profiles.InstanceProfiles[0].InstanceProfileName, r), cloud.CodeNoSuchEntity)
	must(t, iam.DeleteRole(ctx, r))
	wantCode(t, iam.DeleteRole(ctx, r), cloud.CodeNoSuchEntity)
	_, err = iam.ListInstanceProfilesForRole(ctx, r, "")
	wantCode(t, err, cloud.CodeNoSuchEntity)
	// The profile itself stays, empty.
	all, err := iam.ListInstanceProfiles(ctx, "")
	must(t, err)
	found := false
	for _, p := range all.InstanceProfiles {
		if p.InstanceProfileName == r {
			found = len(p.Roles) == 0
		}
	}
	if !found {
		t.Fatalf("instance profile %s should remain without roles: %+v", r, all)
	}
	wantCode(t, iam.DeleteRole(ctx, memaws.SeedSupportRole), cloud.CodeUnmodifiableEntity)
}

func TestTagRole(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	iam := a.IAM()
	must(t, iam.TagRole(ctx, "kms-admin", []cloud.Tag{{Key: "team", Value: "basis"}}))
	must(t, iam.TagRole(ctx, "kms-admin", []cloud.Tag{{Key: "team", Value: "sap"}, {Key: "cost", Value: "42"}}))
	r, err := iam.GetRole(ctx, "kms-admin")
	must(t, err)
	sort.Slice(r.Tags, func(i, j int) bool { return r.Tags[i].Key < r.Tags[j].Key })
	if len(r.Tags) != 2 || r.Tags[1] != (cloud.Tag{Key: "team", Value: "sap"}) {
		t.Fatalf("tags %+v", r.Tags)
	}
	wantCode(t, iam.TagRole(ctx, "ghost", []cloud.Tag{{Key: "a", Value: "b"}}), cloud.CodeNoSuchEntity)
	wantCode(t, iam.TagRole(ctx, "kms-admin", []cloud.Tag{{Key: "aws:x", Value: "b"}}), "InvalidInput")
}

func TestInstanceProfilePaging(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	out, err := a.IAM().ListInstanceProfiles(ctx, "")
	must(t, err)
	names := map[string]bool{}
	for _, p := range out.InstanceProfiles {
		names[p.InstanceProfileName] = true
		if !strings.HasPrefix(p.Arn, "arn:aws:iam::123456789012:instance-profile/") {
			t.Fatalf("profile ARN %s", p.Arn)
		}
	}
	if !names[memaws.SeedBackupRole] || !names[memaws.SeedAppServerRole] || out.IsTruncated {
		t.Fatalf("seeded profiles %+v", out)
	}
	_, err = a.IAM().ListInstanceProfiles(ctx, "%%%")
	wantCode(t, err, cloud.CodeIAMValidationError)
}

func TestDeletedRoleLeavesUniqueIDInPolicies(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	createBucket(t, a, src, "pinned")
	r, err := a.IAM().CreateRole(ctx, cloud.CreateRoleInput{RoleName: "temp", AssumeRolePolicyDocument: ec2Trust})
	must(t, err)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + r.Arn + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::pinned/*"}]}`
	must(t, a.S3(src).PutBucketPolicy(ctx, "pinned", doc))
	must(t, a.IAM().DeleteRole(ctx, "temp"))
	got, err := a.S3(src).GetBucketPolicy(ctx, "pinned")
	must(t, err)
	if strings.Contains(got, r.Arn) || !strings.Contains(got, r.RoleID) {
		t.Fatalf("policy after role deletion: %s", got)
	}
}

func TestIAMPropagationDelay(t *testing.T) {
	a, clk := newAccount(t, memaws.Options{IAMPropagationDelay: 10 * time.Second})
	r, err := a.IAM().CreateRole(ctx, cloud.CreateRoleInput{RoleName: "fresh", AssumeRolePolicyDocument: ec2Trust})
	must(t, err)
	// IAM itself sees the role at once.
	_, err = a.IAM().GetRole(ctx, "fresh")
	must(t, err)
	pol := keyPolicyFor(r.Arn)
	_, err = a.KMS(src).CreateKey(ctx, cloud.CreateKeyInput{Policy: pol})
	wantMessage(t, err, cloud.CodeMalformedPolicyDocument, "invalid principals")
	clk.Advance(10 * time.Second)
	_, err = a.KMS(src).CreateKey(ctx, cloud.CreateKeyInput{Policy: pol})
	must(t, err)

	a.SetIAMPropagationDelay(time.Minute)
	r2, err := a.IAM().CreateRole(ctx, cloud.CreateRoleInput{RoleName: "fresh-repl", AssumeRolePolicyDocument: s3Trust})
	must(t, err)
	versionedBucket(t, a, src, "prop-src")
	versionedBucket(t, a, dst, "prop-dst")
	cfg := cloud.ReplicationConfiguration{Role: r2.Arn, Rules: []cloud.ReplicationRule{{ID: "r", Priority: 1, Status: "Enabled", DestinationBucket: bucketArn("prop-dst")}}}
	wantMessage(t, a.S3(src).PutBucketReplication(ctx, "prop-src", cfg), cloud.CodeInvalidArgument, "Role")
	clk.Advance(time.Minute)
	must(t, a.S3(src).PutBucketReplication(ctx, "prop-src", cfg))
}

func TestNotAnAccountErrorIsPlain(t *testing.T) {
	a, _ := newAccount(t, memaws.Options{})
	_, err := a.S3("xx-nowhere-9").ListBuckets(ctx)
	var ce *cloud.Error
	if err == nil || errors.As(err, &ce) {
		t.Fatalf("err = %v", err)
	}
}
