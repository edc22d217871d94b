package memaws

import (
	"context"
	"encoding/hex"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

// grantOperations are the operations a grant may allow (KMS API
// reference, CreateGrant, Operations).
var grantOperations = []string{
	"Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo",
	"Sign", "Verify", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey", "GenerateDataKeyPair",
	"GenerateDataKeyPairWithoutPlaintext", "GenerateMac", "VerifyMac", "DeriveSharedSecret",
}

// CreateGrant adds a grant on a key in region, as KMS CreateGrant does
// (KMS API reference, CreateGrant: KeyId is a key ID or key ARN,
// GranteePrincipal and at least one of the listed Operations are required;
// the answer is a 64-hex-digit grant ID; a key pending deletion refuses
// with KMSInvalidStateException). hanavault never creates grants; tests
// and the sandbox use this to stand for someone who did. The caller is
// not authorized (like every control-plane call here).
func (a *Account) CreateGrant(ctx context.Context, region, keyID, grantee, name string, operations []string) (string, error) {
	c := kmsClient{a, region}
	return call(a, ctx, c.ci("CreateGrant", keyID), func(now time.Time) (string, error) {
		w := a.w
		k, err := w.resolveKey(region, keyID, false, now)
		if err != nil {
			return "", err
		}
		if k.State == statePending {
			return "", pendingErr(w, k)
		}
		if grantee == "" || len(operations) == 0 {
			return "", awsErr(cloud.CodeValidationException, 400, "GranteePrincipal and Operations are required.")
		}
		for _, op := range operations {
			if !slices.Contains(grantOperations, op) {
				return "", awsErr(cloud.CodeValidationException, 400,
					"1 validation error detected: Value '[%s]' at 'operations' failed to satisfy constraint", op)
			}
		}
		var id [32]byte
		for i := range id {
			id[i] = byte(rand.UintN(256))
		}
		g := kmsGrant{ID: hex.EncodeToString(id[:]), Name: name, Grantee: grantee, Operations: slices.Clone(operations), Created: now}
		k.Grants = append(k.Grants, g)
		w.dirty = true
		return g.ID, nil
	})
}

// ListGrants lists a key's grants (KMS API reference, ListGrants: KeyId is
// a key ID or key ARN, not an alias; pages of at most 50 by default with
// Truncated and NextMarker; each entry carries the key ARN, grant ID and
// name, grantee, issuing account, operations and creation date).
func (c kmsClient) ListGrants(ctx context.Context, keyID, marker string) (cloud.ListGrantsOutput, error) {
	return call(c.a, ctx, c.ci("ListGrants", keyID), func(now time.Time) (cloud.ListGrantsOutput, error) {
		w := c.a.w
		k, err := w.resolveKey(c.region, keyID, false, now)
		if err != nil {
			return cloud.ListGrantsOutput{}, err
		}
		sorted := slices.SortedFunc(slices.Values(k.Grants), func(a, b kmsGrant) int { return strings.Compare(a.ID, b.ID) })
		page, next, more, err := pageAfter(sorted, func(g kmsGrant) string { return g.ID }, marker, 50)
		if err != nil {
			return cloud.ListGrantsOutput{}, awsErr(codeInvalidMarker, 400, "Invalid marker.")
		}
		out := cloud.ListGrantsOutput{Truncated: more, NextMarker: next}
		for _, g := range page {
			out.Grants = append(out.Grants, cloud.Grant{
				GrantID: g.ID, Name: g.Name, KeyArn: w.keyArn(k), GranteePrincipal: g.Grantee,
				IssuingAccount: cloud.RootARN(w.st.Partition, w.st.AccountID), Operations: slices.Clone(g.Operations),
				CreationDate: g.Created,
			})
		}
		return out, nil
	})
}
