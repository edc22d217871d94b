package memaws

import (
	"context"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

// DefaultRestoreDelay is how long a restore of an archived object takes in
// the in-memory account unless Options.RestoreDelay says otherwise. AWS
// takes minutes (Expedited) to hours (Standard, Bulk); the account uses
// one delay for every tier.
const DefaultRestoreDelay = time.Minute

// restoreState is the restore of one archived version.
type restoreState struct {
	Due    time.Time `json:"due"`    // when the temporary copy is readable
	Expiry time.Time `json:"expiry"` // when it is removed again
}

// restoreStatus is a version's restore status at now. A copy whose expiry
// has passed is gone: the object is archived only again (S3 user guide,
// restoring-objects: "after the restoration period, the temporary copy is
// deleted").
func restoreStatus(v *objVersion, now time.Time) cloud.RestoreStatus {
	r := v.Restore
	switch {
	case r == nil || !now.Before(r.Expiry):
		return cloud.RestoreStatus{}
	case now.Before(r.Due):
		return cloud.RestoreStatus{InProgress: true}
	default:
		return cloud.RestoreStatus{Expiry: r.Expiry}
	}
}

// readable reports whether a GET may return the version's body: archived
// classes only with a restored copy (S3 API reference, GetObject: "If the
// object you are retrieving is stored in the S3 Glacier Flexible Retrieval
// or S3 Glacier Deep Archive storage class ... you must first restore a
// copy", else InvalidObjectState, HTTP 403).
func readable(v *objVersion, now time.Time) bool {
	if !cloud.IsArchived(v.StorageClass) {
		return true
	}
	rs := restoreStatus(v, now)
	return !rs.InProgress && !rs.Expiry.IsZero()
}

// restoreExpiry is when a copy restored at done for days expires: S3 rounds
// the end of the period up to the next midnight UTC (S3 user guide,
// restoring-objects, "the expiration time is rounded to midnight UTC of
// the following day").
func restoreExpiry(done time.Time, days int32) time.Time {
	end := done.UTC().Add(time.Duration(days) * 24 * time.Hour)
	return time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC).Add(24 * time.Hour)
}

// RestoreObject follows the S3 API reference, RestoreObject: only
// archived versions can be restored (InvalidObjectState, 403, otherwise);
// a restore in progress answers RestoreAlreadyInProgress (409); a restored
// copy that still exists answers 200 and gets the new period; a new
// restore answers 202 and completes after Options.RestoreDelay. Expedited
// retrievals are not offered for DEEP_ARCHIVE (S3 user guide,
// restoring-objects-retrieval-options). The caller needs s3:RestoreObject.
func (c s3Client) RestoreObject(ctx context.Context, in cloud.RestoreObjectInput) (cloud.RestoreObjectOutput, error) {
	return call(c.a, ctx, c.ci("RestoreObject", in.Bucket, in.Key), func(now time.Time) (cloud.RestoreObjectOutput, error) {
		w := c.a.w
		b, err := c.bucketAt(in.Bucket)
		if err != nil {
			return cloud.RestoreObjectOutput{}, err
		}
		if err := c.authorize(c.a.caller(), "s3:RestoreObject", w.objectArn(b, in.Key), b, nil); err != nil {
			return cloud.RestoreObjectOutput{}, err
		}
		switch in.Tier {
		case "", cloud.TierStandard, cloud.TierBulk, cloud.TierExpedited:
		default:
			return cloud.RestoreObjectOutput{}, awsErr(cloud.CodeMalformedXML, 400, "The XML you provided was not well-formed or did not validate against our published schema (Tier %q)", in.Tier)
		}
		if in.Days < 1 {
			return cloud.RestoreObjectOutput{}, awsErr(cloud.CodeInvalidArgument, 400, "Days must be a positive integer for a restore request")
		}
		var v *objVersion
		if in.VersionID == "" {
			v = latest(b, in.Key)
		} else {
			v = findVersion(b, in.Key, in.VersionID)
		}
		if v == nil || v.DeleteMarker {
			return cloud.RestoreObjectOutput{}, awsErr(cloud.CodeNoSuchKey, 404, "The specified key does not exist.")
		}
		if !cloud.IsArchived(v.StorageClass) {
			return cloud.RestoreObjectOutput{}, awsErr(cloud.CodeInvalidObjectState, 403, "Restore is not allowed for the object's current storage class")
		}
		if in.Tier == cloud.TierExpedited && v.StorageClass == cloud.StorageClassDeepArchive {
			return cloud.RestoreObjectOutput{}, awsErr(cloud.CodeInvalidArgument, 400, "Expedited retrieval is not supported for the DEEP_ARCHIVE storage class")
		}
		rs := restoreStatus(v, now)
		switch {
		case rs.InProgress:
			return cloud.RestoreObjectOutput{}, awsErr(cloud.CodeRestoreAlreadyInProgress, 409, "Object restore is already in progress")
		case !rs.Expiry.IsZero():
			v.Restore.Expiry = restoreExpiry(now, in.Days)
			w.dirty = true
			return cloud.RestoreObjectOutput{AlreadyRestored: true}, nil
		}
		due := now.Add(w.restoreDelay)
		v.Restore = &restoreState{Due: due, Expiry: restoreExpiry(due, in.Days)}
		w.dirty = true
		return cloud.RestoreObjectOutput{}, nil
	})
}
