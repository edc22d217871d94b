package awsapi

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/hanavault/hanavault/internal/cloud"
)

// stubKMS implements kmsAPI with the calls a test sets.
type stubKMS struct {
	kmsAPI

	createKey    func(*kms.CreateKeyInput) (*kms.CreateKeyOutput, error)
	describeKey  func(*kms.DescribeKeyInput) (*kms.DescribeKeyOutput, error)
	getPolicy    func(*kms.GetKeyPolicyInput) (*kms.GetKeyPolicyOutput, error)
	putPolicy    func(*kms.PutKeyPolicyInput) (*kms.PutKeyPolicyOutput, error)
	listAliases  func(*kms.ListAliasesInput) (*kms.ListAliasesOutput, error)
	listTags     func(*kms.ListResourceTagsInput) (*kms.ListResourceTagsOutput, error)
	scheduleDel  func(*kms.ScheduleKeyDeletionInput) (*kms.ScheduleKeyDeletionOutput, error)
	rotationStat func(*kms.GetKeyRotationStatusInput) (*kms.GetKeyRotationStatusOutput, error)
}

func (s *stubKMS) CreateKey(_ context.Context, in *kms.CreateKeyInput, _ ...func(*kms.Options)) (*kms.CreateKeyOutput, error) {
	return s.createKey(in)
}
func (s *stubKMS) DescribeKey(_ context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	return s.describeKey(in)
}
func (s *stubKMS) GetKeyPolicy(_ context.Context, in *kms.GetKeyPolicyInput, _ ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error) {
	return s.getPolicy(in)
}
func (s *stubKMS) PutKeyPolicy(_ context.Context, in *kms.PutKeyPolicyInput, _ ...func(*kms.Options)) (*kms.PutKeyPolicyOutput, error) {
	return s.putPolicy(in)
}
func (s *stubKMS) ListAliases(_ context.Context, in *kms.ListAliasesInput, _ ...func(*kms.Options)) (*kms.ListAliasesOutput, error) {
	return s.listAliases(in)
}
func (s *stubKMS) ListResourceTags(_ context.Context, in *kms.ListResourceTagsInput, _ ...func(*kms.Options)) (*kms.ListResourceTagsOutput, error) {
	return s.listTags(in)
}
func (s *stubKMS) ScheduleKeyDeletion(_ context.Context, in *kms.ScheduleKeyDeletionInput, _ ...func(*kms.Options)) (*kms.ScheduleKeyDeletionOutput, error) {
	return s.scheduleDel(in)
}
func (s *stubKMS) GetKeyRotationStatus(_ context.Context, in *kms.GetKeyRotationStatusInput, _ ...func(*kms.Options)) (*kms.GetKeyRotationStatusOutput, error) {
	return s.rotationStat(in)
}

func TestKMSMapping(t *testing.T) {
	ctx := context.Background()
	created := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	deletion := created.Add(7 * 24 * time.Hour)
	meta := &kmstypes.KeyMetadata{
		KeyId: aws.String("k1"), Arn: aws.String("arn:aws:kms:eu-west-1:1:key/k1"), Description: aws.String("d"),
		Enabled: false, KeyState: "PendingDeletion", KeyManager: "CUSTOMER", KeySpec: "SYMMETRIC_DEFAULT",
		KeyUsage: "ENCRYPT_DECRYPT", MultiRegion: aws.Bool(false), CreationDate: &created, DeletionDate: &deletion,
	}
	var createIn *kms.CreateKeyInput
	var putIn *kms.PutKeyPolicyInput
	var getIn *kms.GetKeyPolicyInput
	var schedIn *kms.ScheduleKeyDeletionInput
	var tagMarkers []string
	stub := &stubKMS{
		createKey: func(in *kms.CreateKeyInput) (*kms.CreateKeyOutput, error) {
			createIn = in
			return &kms.CreateKeyOutput{KeyMetadata: meta}, nil
		},
		describeKey: func(*kms.DescribeKeyInput) (*kms.DescribeKeyOutput, error) {
			return &kms.DescribeKeyOutput{KeyMetadata: meta}, nil
		},
		getPolicy: func(in *kms.GetKeyPolicyInput) (*kms.GetKeyPolicyOutput, error) {
			getIn = in
			return &kms.GetKeyPolicyOutput{Policy: aws.String(`{"Version":"2012-10-17"}`)}, nil
		},
		putPolicy: func(in *kms.PutKeyPolicyInput) (*kms.PutKeyPolicyOutput, error) {
			putIn = in
			return &kms.PutKeyPolicyOutput{}, nil
		},
		listTags: func(in *kms.ListResourceTagsInput) (*kms.ListResourceTagsOutput, error) {
			tagMarkers = append(tagMarkers, aws.ToString(in.Marker))
			if in.Marker == nil {
				return &kms.ListResourceTagsOutput{Tags: []kmstypes.Tag{{TagKey: aws.String("a"), TagValue: aws.String("1")}}, Truncated: true, NextMarker: aws.String("m")}, nil
			}
			return &kms.ListResourceTagsOutput{Tags: []kmstypes.Tag{{TagKey: aws.String("b"), TagValue: aws.String("")}}}, nil
		},
		scheduleDel: func(in *kms.ScheduleKeyDeletionInput) (*kms.ScheduleKeyDeletionOutput, error) {
			schedIn = in
			return &kms.ScheduleKeyDeletionOutput{DeletionDate: &deletion, KeyId: in.KeyId}, nil
		},
		rotationStat: func(*kms.GetKeyRotationStatusInput) (*kms.GetKeyRotationStatusOutput, error) {
			return &kms.GetKeyRotationStatusOutput{KeyRotationEnabled: true}, nil
		},
	}
	c := &kmsClient{region: "eu-west-1", api: stub}

	got, err := c.CreateKey(ctx, cloud.CreateKeyInput{Description: "d", Policy: "{}", Tags: []cloud.Tag{{Key: "hanavault:sid", Value: "PRD"}}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(createIn.Policy) != "{}" || createIn.KeySpec != "" || createIn.KeyUsage != "" || createIn.BypassPolicyLockoutSafetyCheck ||
		len(createIn.Tags) != 1 || aws.ToString(createIn.Tags[0].TagKey) != "hanavault:sid" || aws.ToString(createIn.Tags[0].TagValue) != "PRD" {
		t.Errorf("CreateKeyInput = %+v", createIn)
	}
	want := cloud.KeyMetadata{KeyID: "k1", Arn: "arn:aws:kms:eu-west-1:1:key/k1", Description: "d", KeyState: "PendingDeletion",
		KeyManager: "CUSTOMER", KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", CreationDate: created, DeletionDate: deletion}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("KeyMetadata (-want +got):\n%s", diff)
	}

	if _, err := c.CreateKey(ctx, cloud.CreateKeyInput{}); err != nil {
		t.Fatal(err)
	}
	if createIn.Policy != nil || createIn.Description != nil || createIn.Tags != nil {
		t.Errorf("empty fields were sent: %+v", createIn)
	}

	if _, err := c.GetKeyPolicy(ctx, "k1"); err != nil || aws.ToString(getIn.PolicyName) != "default" {
		t.Errorf("GetKeyPolicy policy name %q, %v", aws.ToString(getIn.PolicyName), err)
	}
	if err := c.PutKeyPolicy(ctx, "k1", "{}"); err != nil || aws.ToString(putIn.PolicyName) != "default" || aws.ToString(putIn.Policy) != "{}" {
		t.Errorf("PutKeyPolicy input %+v, %v", putIn, err)
	}

	tags, err := c.ListResourceTags(ctx, "k1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]cloud.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: ""}}, tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"", "m"}, tagMarkers); diff != "" {
		t.Errorf("tag pages (-want +got):\n%s", diff)
	}

	when, err := c.ScheduleKeyDeletion(ctx, "k1", 7)
	if err != nil || !when.Equal(deletion) || aws.ToInt32(schedIn.PendingWindowInDays) != 7 || aws.ToString(schedIn.KeyId) != "k1" {
		t.Errorf("ScheduleKeyDeletion = %v, %v; input %+v", when, err, schedIn)
	}
	if _, err := c.ScheduleKeyDeletion(ctx, "k1", 0); err != nil || schedIn.PendingWindowInDays != nil {
		t.Errorf("window 0 should leave the service default: %+v, %v", schedIn, err)
	}
	if on, err := c.GetKeyRotationStatus(ctx, "k1"); err != nil || !on {
		t.Errorf("rotation = %v, %v", on, err)
	}
}

func TestKMSListAliasesAndErrors(t *testing.T) {
	var in *kms.ListAliasesInput
	c := &kmsClient{region: "eu-west-1", api: &stubKMS{listAliases: func(i *kms.ListAliasesInput) (*kms.ListAliasesOutput, error) {
		in = i
		if aws.ToString(i.Marker) == "bad" {
			return nil, sdkError("KMS", "ListAliases", 400, &smithy.GenericAPIError{Code: "InvalidMarkerException", Message: "bad marker"})
		}
		return &kms.ListAliasesOutput{Truncated: true, NextMarker: aws.String("n"), Aliases: []kmstypes.AliasListEntry{
			{AliasName: aws.String("alias/hv"), AliasArn: aws.String("arn:aws:kms:eu-west-1:1:alias/hv"), TargetKeyId: aws.String("k1")},
			{AliasName: aws.String("alias/aws/s3"), AliasArn: aws.String("arn:aws:kms:eu-west-1:1:alias/aws/s3")},
		}}, nil
	}}}
	out, err := c.ListAliases(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if in.KeyId != nil || in.Marker != nil {
		t.Errorf("unfiltered first page sent KeyId/Marker: %+v", in)
	}
	want := cloud.ListAliasesOutput{Truncated: true, NextMarker: "n", Aliases: []cloud.Alias{
		{AliasName: "alias/hv", AliasArn: "arn:aws:kms:eu-west-1:1:alias/hv", TargetKeyID: "k1"},
		{AliasName: "alias/aws/s3", AliasArn: "arn:aws:kms:eu-west-1:1:alias/aws/s3"},
	}}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := c.ListAliases(context.Background(), "k1", "m"); err != nil || aws.ToString(in.KeyId) != "k1" || aws.ToString(in.Marker) != "m" {
		t.Errorf("filter not sent: %+v, %v", in, err)
	}
	_, err = c.ListAliases(context.Background(), "", "bad")
	var ce *cloud.Error
	if !errors.As(err, &ce) || ce.Service != "kms" || ce.Op != "ListAliases" || ce.Code != "InvalidMarkerException" || ce.Resource != "eu-west-1" {
		t.Errorf("error = %#v", err)
	}
}

// stubIAM implements iamAPI with the calls a test sets.
type stubIAM struct {
	iamAPI

	getRole       func(*iam.GetRoleInput) (*iam.GetRoleOutput, error)
	createRole    func(*iam.CreateRoleInput) (*iam.CreateRoleOutput, error)
	getRolePolicy func(*iam.GetRolePolicyInput) (*iam.GetRolePolicyOutput, error)
	listRoles     func(*iam.ListRolesInput) (*iam.ListRolesOutput, error)
	listProfiles  func(*iam.ListInstanceProfilesForRoleInput) (*iam.ListInstanceProfilesForRoleOutput, error)
	deleteRole    func(*iam.DeleteRoleInput) (*iam.DeleteRoleOutput, error)
}

func (s *stubIAM) GetRole(_ context.Context, in *iam.GetRoleInput, _ ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	return s.getRole(in)
}
func (s *stubIAM) CreateRole(_ context.Context, in *iam.CreateRoleInput, _ ...func(*iam.Options)) (*iam.CreateRoleOutput, error) {
	return s.createRole(in)
}
func (s *stubIAM) GetRolePolicy(_ context.Context, in *iam.GetRolePolicyInput, _ ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error) {
	return s.getRolePolicy(in)
}
func (s *stubIAM) ListRoles(_ context.Context, in *iam.ListRolesInput, _ ...func(*iam.Options)) (*iam.ListRolesOutput, error) {
	return s.listRoles(in)
}
func (s *stubIAM) ListInstanceProfilesForRole(_ context.Context, in *iam.ListInstanceProfilesForRoleInput, _ ...func(*iam.Options)) (*iam.ListInstanceProfilesForRoleOutput, error) {
	return s.listProfiles(in)
}
func (s *stubIAM) DeleteRole(_ context.Context, in *iam.DeleteRoleInput, _ ...func(*iam.Options)) (*iam.DeleteRoleOutput, error) {
	return s.deleteRole(in)
}

func TestIAMMapping(t *testing.T) {
	ctx := context.Background()
	created := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	const encoded = "%7B%22Version%22%3A%222012-10-17%22%7D"
	sdkRole := &iamtypes.Role{RoleName: aws.String("r"), RoleId: aws.String("AROA"), Arn: aws.String("arn:aws:iam::1:role/p/r"),
		Path: aws.String("/p/"), AssumeRolePolicyDocument: aws.String(encoded), Description: aws.String("d"), CreateDate: &created,
		Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}
	var createIn *iam.CreateRoleInput
	var listIn *iam.ListRolesInput
	c := &iamClient{api: &stubIAM{
		getRole: func(*iam.GetRoleInput) (*iam.GetRoleOutput, error) { return &iam.GetRoleOutput{Role: sdkRole}, nil },
		createRole: func(in *iam.CreateRoleInput) (*iam.CreateRoleOutput, error) {
			createIn = in
			return &iam.CreateRoleOutput{Role: sdkRole}, nil
		},
		getRolePolicy: func(*iam.GetRolePolicyInput) (*iam.GetRolePolicyOutput, error) {
			return &iam.GetRolePolicyOutput{PolicyDocument: aws.String(encoded)}, nil
		},
		listRoles: func(in *iam.ListRolesInput) (*iam.ListRolesOutput, error) {
			listIn = in
			return &iam.ListRolesOutput{Roles: []iamtypes.Role{*sdkRole}, IsTruncated: true, Marker: aws.String("next")}, nil
		},
		listProfiles: func(*iam.ListInstanceProfilesForRoleInput) (*iam.ListInstanceProfilesForRoleOutput, error) {
			return &iam.ListInstanceProfilesForRoleOutput{InstanceProfiles: []iamtypes.InstanceProfile{{
				InstanceProfileName: aws.String("ip"), Arn: aws.String("arn:aws:iam::1:instance-profile/ip"), Path: aws.String("/"),
				Roles: []iamtypes.Role{*sdkRole}}}}, nil
		},
		deleteRole: func(*iam.DeleteRoleInput) (*iam.DeleteRoleOutput, error) {
			return nil, sdkError("IAM", "DeleteRole", 409, &smithy.GenericAPIError{Code: "DeleteConflict", Message: "Cannot delete entity, must delete policies first."})
		},
	}}
	wantRole := cloud.Role{RoleName: "r", RoleID: "AROA", Arn: "arn:aws:iam::1:role/p/r", Path: "/p/",
		AssumeRolePolicyDocument: encoded, Description: "d", CreateDate: created, Tags: []cloud.Tag{{Key: "k", Value: "v"}}}

	got, err := c.GetRole(ctx, "r")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantRole, got); diff != "" {
		t.Errorf("GetRole (-want +got):\n%s", diff)
	}
	doc, err := c.GetRolePolicy(ctx, "r", "p")
	if err != nil || doc != encoded {
		t.Errorf("GetRolePolicy = %q, %v; want the raw URL-encoded document", doc, err)
	}

	if _, err := c.CreateRole(ctx, cloud.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: "{}"}); err != nil {
		t.Fatal(err)
	}
	if createIn.Path != nil || createIn.Description != nil || createIn.Tags != nil || aws.ToString(createIn.AssumeRolePolicyDocument) != "{}" {
		t.Errorf("CreateRoleInput = %+v", createIn)
	}

	out, err := c.ListRoles(ctx, cloud.ListRolesInput{PathPrefix: "/p/", Marker: "m", MaxItems: 10})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(listIn.PathPrefix) != "/p/" || aws.ToString(listIn.Marker) != "m" || aws.ToInt32(listIn.MaxItems) != 10 {
		t.Errorf("ListRolesInput = %+v", listIn)
	}
	if diff := cmp.Diff(cloud.ListRolesOutput{Roles: []cloud.Role{wantRole}, IsTruncated: true, Marker: "next"}, out); diff != "" {
		t.Errorf("ListRoles (-want +got):\n%s", diff)
	}
	if _, err := c.ListRoles(ctx, cloud.ListRolesInput{}); err != nil || listIn.PathPrefix != nil || listIn.Marker != nil || listIn.MaxItems != nil {
		t.Errorf("empty ListRolesInput sent fields: %+v, %v", listIn, err)
	}

	ips, err := c.ListInstanceProfilesForRole(ctx, "r", "")
	if err != nil {
		t.Fatal(err)
	}
	wantIPs := cloud.ListInstanceProfilesOutput{InstanceProfiles: []cloud.InstanceProfile{{
		InstanceProfileName: "ip", Arn: "arn:aws:iam::1:instance-profile/ip", Path: "/", Roles: []cloud.Role{wantRole}}}}
	if diff := cmp.Diff(wantIPs, ips); diff != "" {
		t.Errorf("instance profiles (-want +got):\n%s", diff)
	}

	err = c.DeleteRole(ctx, "r")
	if !cloud.IsCode(err, cloud.CodeDeleteConflict) {
		t.Errorf("DeleteRole error = %v", err)
	}
	var ce *cloud.Error
	if errors.As(err, &ce) && (ce.Service != "iam" || ce.Resource != "r" || ce.HTTPStatus != 409) {
		t.Errorf("DeleteRole error fields = %+v", ce)
	}
}

type stubSTS struct {
	out *sts.GetCallerIdentityOutput
	err error
}

func (s stubSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return s.out, s.err
}

type stubEC2 struct{ in *ec2.DescribeRegionsInput }

func (s *stubEC2) DescribeRegions(_ context.Context, in *ec2.DescribeRegionsInput, _ ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error) {
	s.in = in
	return &ec2.DescribeRegionsOutput{Regions: []ec2types.Region{
		{RegionName: aws.String("eu-central-1"), Endpoint: aws.String("ec2.eu-central-1.amazonaws.com"), OptInStatus: aws.String("opt-in-not-required")},
		{RegionName: aws.String("eu-south-2"), Endpoint: aws.String("ec2.eu-south-2.amazonaws.com"), OptInStatus: aws.String("not-opted-in")},
	}}, nil
}

func TestSTSAndEC2Mapping(t *testing.T) {
	ctx := context.Background()
	s := &stsClient{api: stubSTS{out: &sts.GetCallerIdentityOutput{Account: aws.String("123456789012"),
		Arn: aws.String("arn:aws-cn:iam::123456789012:user/x"), UserId: aws.String("AIDA")}}}
	id, err := s.GetCallerIdentity(ctx)
	if err != nil || id != (cloud.CallerIdentity{Account: "123456789012", Arn: "arn:aws-cn:iam::123456789012:user/x", UserID: "AIDA"}) || id.Partition() != "aws-cn" {
		t.Errorf("GetCallerIdentity = %+v, %v", id, err)
	}
	s = &stsClient{api: stubSTS{err: sdkError("STS", "GetCallerIdentity", 403, &smithy.GenericAPIError{Code: "ExpiredToken", Message: "expired"})}}
	if _, err := s.GetCallerIdentity(ctx); !cloud.IsCode(err, cloud.CodeExpiredToken) {
		t.Errorf("err = %v", err)
	}

	stub := &stubEC2{}
	e := &ec2Client{region: "eu-central-1", describeRegions: stub.DescribeRegions}
	regions, err := e.DescribeRegions(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(stub.in.AllRegions) {
		t.Error("AllRegions not sent")
	}
	want := []cloud.Region{
		{Name: "eu-central-1", Endpoint: "ec2.eu-central-1.amazonaws.com", OptInStatus: "opt-in-not-required"},
		{Name: "eu-south-2", Endpoint: "ec2.eu-south-2.amazonaws.com", OptInStatus: "not-opted-in"},
	}
	if diff := cmp.Diff(want, regions); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := e.DescribeRegions(ctx, false); err != nil || stub.in.AllRegions == nil || *stub.in.AllRegions {
		t.Errorf("all=false must send AllRegions=false: %+v, %v", stub.in, err)
	}
}
