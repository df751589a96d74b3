using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reeve.Server.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Scheduling : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "expire_late_runs_after",
                table: "work_pool",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "planned_until",
                table: "deployment_schedule",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "expire_late_runs_after",
                table: "deployment",
                type: "double precision",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "expire_late_runs_after",
                table: "work_pool");

            migrationBuilder.DropColumn(
                name: "planned_until",
                table: "deployment_schedule");

            migrationBuilder.DropColumn(
                name: "expire_late_runs_after",
                table: "deployment");
        }
    }
}
