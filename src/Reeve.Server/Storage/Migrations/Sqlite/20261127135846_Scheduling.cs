using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Reeve.Server.Storage.Migrations.Sqlite
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
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "planned_until",
                table: "deployment_schedule",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "expire_late_runs_after",
                table: "deployment",
                type: "REAL",
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
