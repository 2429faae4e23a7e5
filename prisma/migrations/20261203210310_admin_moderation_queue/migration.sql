-- CreateEnum
CREATE TYPE "NoticeKind" AS ENUM ('WARNING', 'APPEAL_ACCEPTED');

-- AlterEnum
ALTER TYPE "ReportStatus" ADD VALUE 'WARNED';

-- AlterTable
ALTER TABLE "Report" ADD COLUMN     "banId" UUID,
ADD COLUMN     "resolution" VARCHAR(500);

-- CreateTable
CREATE TABLE "ModerationNotice" (
    "id" UUID NOT NULL,
    "kind" "NoticeKind" NOT NULL,
    "userId" UUID,
    "deviceId" VARCHAR(64),
    "text" VARCHAR(1000) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledgedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ModerationNotice_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ModerationNotice_userId_acknowledgedAt_idx" ON "ModerationNotice"("userId", "acknowledgedAt");

-- CreateIndex
CREATE INDEX "ModerationNotice_deviceId_acknowledgedAt_idx" ON "ModerationNotice"("deviceId", "acknowledgedAt");

-- AddForeignKey
ALTER TABLE "Report" ADD CONSTRAINT "Report_banId_fkey" FOREIGN KEY ("banId") REFERENCES "Ban"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModerationNotice" ADD CONSTRAINT "ModerationNotice_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

