using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reeve.Server.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FlowRunHeartbeats : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "heartbeat_expires",
                table: "flow_run",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_flow_run_heartbeat_expires_state_type",
                table: "flow_run",
                columns: new[] { "heartbeat_expires", "state_type" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_flow_run_heartbeat_expires_state_type",
                table: "flow_run");

            migrationBuilder.DropColumn(
                name: "heartbeat_expires",
                table: "flow_run");
        }
    }
}
