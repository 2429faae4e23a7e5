-- AlterTable
ALTER TABLE "Meeting" ADD COLUMN     "p2pMaxParticipants" INTEGER NOT NULL DEFAULT 3;

