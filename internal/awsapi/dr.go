package awsapi

import (
	"context"
	"net/http"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hanavault/hanavault/internal/cloud"
)

// RestoreObject sends a plain (non-Select) restore request. S3 answers 202
// for a new restore and 200 when a restored copy already exists (S3 API
// reference, RestoreObject); the SDK hides the status, so it is read from
// the raw response.
func (c *s3Client) RestoreObject(ctx context.Context, in cloud.RestoreObjectInput) (cloud.RestoreObjectOutput, error) {
	req := &s3.RestoreObjectInput{
		Bucket:    aws.String(in.Bucket),
		Key:       aws.String(in.Key),
		VersionId: optString(in.VersionID),
		RestoreRequest: &s3types.RestoreRequest{
			Days: aws.Int32(in.Days),
		},
	}
	if in.Tier != "" {
		req.RestoreRequest.GlacierJobParameters = &s3types.GlacierJobParameters{Tier: s3types.Tier(in.Tier)}
	}
	out, err := c.api.RestoreObject(ctx, req)
	if err != nil {
		return cloud.RestoreObjectOutput{}, s3Err("RestoreObject", objectResource(in.Bucket, in.Key, in.VersionID), err)
	}
	var res cloud.RestoreObjectOutput
	if raw, ok := awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response); ok && raw != nil {
		res.AlreadyRestored = raw.StatusCode == http.StatusOK
	}
	return res, nil
}

func optionalRestoreStatus(want bool) []s3types.OptionalObjectAttributes {
	if !want {
		return nil
	}
	return []s3types.OptionalObjectAttributes{s3types.OptionalObjectAttributesRestoreStatus}
}

func fromRestoreStatus(r *s3types.RestoreStatus) cloud.RestoreStatus {
	if r == nil {
		return cloud.RestoreStatus{}
	}
	return cloud.RestoreStatus{InProgress: aws.ToBool(r.IsRestoreInProgress), Expiry: aws.ToTime(r.RestoreExpiryDate)}
}

// restoreHeaderRE reads the x-amz-restore header: ongoing-request="true",
// or ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"
// (S3 API reference, HeadObject).
var restoreHeaderRE = regexp.MustCompile(`ongoing-request="(true|false)"(?:,\s*expiry-date="([^"]+)")?`)

func parseRestoreHeader(h string) cloud.RestoreStatus {
	m := restoreHeaderRE.FindStringSubmatch(h)
	if m == nil {
		return cloud.RestoreStatus{}
	}
	if m[1] == "true" {
		return cloud.RestoreStatus{InProgress: true}
	}
	t, err := time.Parse(http.TimeFormat, m[2])
	if err != nil {
		return cloud.RestoreStatus{}
	}
	return cloud.RestoreStatus{Expiry: t}
}

func storageClassOr(class string) string {
	if class == "" {
		return string(s3types.StorageClassStandard)
	}
	return class
}

func (c *iamClient) GetPolicyDefaultVersion(ctx context.Context, policyArn string) (string, error) {
	out, err := c.api.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyArn)})
	if err != nil {
		return "", iamErr("GetPolicy", policyArn, err)
	}
	if out.Policy == nil {
		return "", nil
	}
	return aws.ToString(out.Policy.DefaultVersionId), nil
}

func (c *iamClient) GetPolicyVersion(ctx context.Context, policyArn, versionID string) (string, error) {
	out, err := c.api.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(policyArn), VersionId: aws.String(versionID)})
	if err != nil {
		return "", iamErr("GetPolicyVersion", policyArn, err)
	}
	if out.PolicyVersion == nil {
		return "", nil
	}
	return aws.ToString(out.PolicyVersion.Document), nil
}

func (c *iamClient) SimulatePrincipalPolicy(ctx context.Context, in cloud.SimulatePrincipalPolicyInput) (cloud.SimulatePrincipalPolicyOutput, error) {
	req := &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(in.PolicySourceArn),
		ActionNames:     in.ActionNames,
		ResourceArns:    in.ResourceArns,
		ResourcePolicy:  optString(in.ResourcePolicy),
		Marker:          optString(in.Marker),
	}
	for _, e := range in.ContextEntries {
		req.ContextEntries = append(req.ContextEntries, iamtypes.ContextEntry{
			ContextKeyName: aws.String(e.Key), ContextKeyType: iamtypes.ContextKeyTypeEnum(e.Type), ContextKeyValues: e.Values,
		})
	}
	out, err := c.api.SimulatePrincipalPolicy(ctx, req)
	if err != nil {
		return cloud.SimulatePrincipalPolicyOutput{}, iamErr("SimulatePrincipalPolicy", in.PolicySourceArn, err)
	}
	res := cloud.SimulatePrincipalPolicyOutput{IsTruncated: out.IsTruncated, Marker: aws.ToString(out.Marker)}
	for _, r := range out.EvaluationResults {
		er := cloud.EvaluationResult{
			Action: aws.ToString(r.EvalActionName), Resource: aws.ToString(r.EvalResourceName),
			Decision: string(r.EvalDecision),
		}
		for _, s := range r.MatchedStatements {
			er.MatchedStatements = append(er.MatchedStatements, aws.ToString(s.SourcePolicyId))
		}
		if d := r.PermissionsBoundaryDecisionDetail; d != nil && !d.AllowedByPermissionsBoundary {
			er.DeniedByBoundary = true
		}
		res.Results = append(res.Results, er)
	}
	return res, nil
}
