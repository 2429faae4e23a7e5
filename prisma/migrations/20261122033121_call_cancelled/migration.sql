-- AlterEnum
ALTER TYPE "CallStatus" ADD VALUE 'CANCELLED';

